"""The ``timeline`` directive: a chapter's example, recorded and drawn at build time.

    ```{timeline} examples/join_deadlock.py
    ```

runs the example under ``python -m teachmp trace`` (an ordinary
multiprocessing program, on teachmp), and puts the picture that
``teachmp.trace_draw`` draws into the page, with its labels in the
language being built, followed by the deadlock view when some wait never
ended.  So the picture is always of the code the chapter shows, as it runs
today: change the example or the library and the next build draws it anew.

A recording is kept in the build directory under the hash of the example's
source and of the tracing code, so the English and the Japanese build (and
a rebuild with nothing changed) record each example once.  The picture is
raw HTML: never translated (the chapter's own paragraph before it is).
"""

import hashlib
import json
import os
import subprocess
import sys

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from teachmp import trace_analysis, trace_draw  # noqa: E402

CACHE = os.path.join(ROOT, 'docs', '_build', 'timelines')


def _key(example):
    h = hashlib.sha256()
    for path in [example] + [os.path.join(ROOT, 'teachmp', name) for name in (
            'trace.py', 'trace_args.py', 'trace_analysis.py', 'trace_draw.py')]:
        with open(path, 'rb') as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def record(example, cache_dir, timeout=60):
    """The Chrome trace of one run of ``example`` (recorded once per content)."""
    os.makedirs(cache_dir, exist_ok=True)
    name = os.path.splitext(os.path.basename(example))[0]
    out = os.path.join(cache_dir, '%s-%s.json' % (name, _key(example)))
    if not os.path.exists(out):
        # Sphinx runs quietly (-q); a first build records a dozen of these.
        print('timeline: recording %s (once; kept in %s)'
              % (os.path.relpath(example, ROOT), os.path.relpath(cache_dir, ROOT)),
              file=sys.stderr, flush=True)
        env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
        env.pop('TEACHMP_TRACE', None)
        env.pop('TEACHMP_TRACE_ROOT', None)
        done = subprocess.run(
            [sys.executable, '-m', 'teachmp', 'trace', '-o', out + '.tmp', example],
            cwd=os.path.dirname(example), env=env, capture_output=True, text=True,
            timeout=timeout)
        if done.returncode != 0 or not os.path.exists(out + '.tmp'):
            raise RuntimeError('timeline: %s failed (exit %s):\n%s'
                               % (example, done.returncode, done.stderr[-2000:]))
        os.replace(out + '.tmp', out)
    with open(out, encoding='utf-8') as f:
        return json.load(f)


class Timeline(SphinxDirective):
    required_arguments = 1
    option_spec = {'timeout': directives.positive_int}

    def run(self):
        rel, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(rel)
        if self.env.app.builder.name == 'gettext':
            return []           # a picture has nothing to translate
        try:
            chrome = record(path, CACHE, self.options.get('timeout', 60))
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            raise self.error(str(e))
        lang = 'ja' if (self.config.language or 'en').startswith('ja') else 'en'
        serial = self.env.new_serialno('timeline')
        uid = 'tl-%s-%d' % (os.path.splitext(os.path.basename(path))[0], serial)
        waits = trace_analysis.unfinished_waits(chrome, lang)
        listing = ''
        if waits:
            head = trace_draw._WORDS[lang]['waits']
            listing = '<p class="timeline-waits">%s</p><ul>%s</ul>' % (
                head, ''.join('<li>%s</li>' % _escape(w) for w in waits))
        cycle = trace_analysis.wait_cycle(chrome, lang)
        if cycle:
            listing += '<p class="timeline-cycle"><strong>%s</strong></p>' % _escape(cycle)
        html = ('<figure class="teachmp-timeline"><div class="timeline-scroll">%s</div>'
                '%s</figure>' % (trace_draw.render_svg(chrome, lang, uid), listing))
        return [nodes.raw('', html, format='html')]


def _escape(text):
    import html
    return html.escape(text)


def setup(app):
    app.add_directive('timeline', Timeline)
    return {'version': '1', 'parallel_read_safe': True, 'parallel_write_safe': True}
