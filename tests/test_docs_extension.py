"""docs/_ext/teachmp_docs.py: the pieces that can be tested without a build.

The whole site is checked by tools/docs_check.py (in Chromium) after
``make docs``; these tests pin the two fixes it relies on.
"""

import glob
import os
import sys

from docutils import nodes
from sphinx import addnodes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'docs', '_ext'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import examples_harness  # noqa: E402
import teachmp_docs  # noqa: E402


def test_signature_pieces_are_not_marked_as_translation_placeholders():
    # Sphinx's RemoveTranslatableInline moves every inline node that carries
    # "translatable" to the end of its parent: "BaseProcess(=groupNone)".
    name = addnodes.desc_sig_name('group', 'group')
    param = addnodes.desc_parameter('', '', name,
                                    addnodes.desc_sig_operator('=', '='),
                                    nodes.inline('None', 'None'))
    signature = addnodes.desc_signature('', '', param)
    for node in signature.findall(nodes.TextElement):
        teachmp_docs._mark_untranslatable(node)
    assert signature['translatable'] is False
    inline = [n for n in signature.findall(nodes.inline)]
    assert len(inline) == 3
    assert all('translatable' not in n for n in inline)
    assert param.astext() == 'group=None'


def _examples_with_directives():
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, 'tutorials', '*', 'examples', '*.py'))):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if '# example:' in text:
            found.append((path, text))
    return found


def test_harness_lines_are_stripped_for_readers_and_kept_for_the_harness():
    examples = _examples_with_directives()
    assert len(examples) >= 10  # the chapters use them; the test must see some
    for path, text in examples:
        shown = teachmp_docs.HARNESS_LINE.sub('', text)
        assert '# example:' not in shown, path
        # Only the directive lines went: every other line is still there, in order.
        kept = [line for line in text.splitlines(keepends=True)
                if not examples_harness._DIRECTIVE.match(line)]
        assert shown == ''.join(kept), path
        # ... and the file itself still tells the harness what to do.
        examples_harness.read_options(__import__('pathlib').Path(path))


def test_the_harness_pattern_matches_what_the_harness_reads():
    for line in ('# example: skip "reason"\n', '#example: erase (?<=at ).*\n',
                 '   # example: unordered\n', '# example: timeout 120'):
        assert teachmp_docs.HARNESS_LINE.fullmatch(line), line
        assert examples_harness._DIRECTIVE.match(line), line
    for line in ('# an example: of prose\n', "print('# example: x')\n"):
        assert not teachmp_docs.HARNESS_LINE.fullmatch(line), line


def test_the_api_page_is_read_again_only_when_the_module_list_changed(tmp_path):
    # A rebuild with nothing changed must not re-read (re-import) the API page.
    package = tmp_path / 'teachmp'
    package.mkdir()
    for name in ('__init__.py', 'a.py', 'b.py', '__main__.py'):
        (package / name).write_text('')
    (tmp_path / 'docs').mkdir()

    class App:
        srcdir = str(tmp_path / 'docs')

    class Env:
        found_docs = {'index', 'api'}

    env = Env()
    modules = teachmp_docs.library_modules(str(package))
    assert modules == ['teachmp.a', 'teachmp.b']
    # Never read: read it.
    assert teachmp_docs.on_env_get_outdated(App, env, set(), set(), set()) == ['api']
    env.teachmp_api_modules = modules
    assert teachmp_docs.on_env_get_outdated(App, env, set(), set(), set()) == []
    (package / 'c.py').write_text('')            # a new module: read it again
    assert teachmp_docs.on_env_get_outdated(App, env, set(), set(), set()) == ['api']
    # Already being read for another reason: nothing to add.
    assert teachmp_docs.on_env_get_outdated(App, env, set(), {'api'}, set()) == []
