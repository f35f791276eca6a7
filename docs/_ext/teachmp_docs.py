"""Small Sphinx extension for the teachmp site.

A few jobs, each a few lines:

* ``lang_links`` in every page's template context, so that
  ``_templates/lang-switch.html`` can link the same page in the other
  language (the site is built twice, into ``en/`` and ``ja/``, side by side);
  the same links go into ``<head>`` as ``rel="alternate" hreflang=...``.
* Docstrings stay out of the gettext catalogs: every node whose source
  matches one of the ``teachmp_untranslated_sources`` patterns (autodoc's
  read ``.../process.py:docstring of ...``) is marked ``translatable=False``
  before Sphinx extracts or translates messages.  They belong to the code,
  which changes without its translators; an API page would otherwise break
  the Japanese build with every edited docstring.
* ``{include-untranslated}`` includes a Markdown file (the benchmark table
  that ``make bench`` regenerates) the same way: rendered in place, never
  translated, so a changed number never becomes an untranslated entry.
* The API page's ``<!-- teachmp: every other module -->`` becomes an
  ``automodule`` for each module of teachmp/ the page does not show yet;
  names a module only re-exports from the standard library are left out,
  and viewcode's index lists only the modules it could read.
* ``literalinclude`` drops the ``# example:`` lines that
  tests/examples_harness.py reads: they stay in the example files, out of
  the rendered code and the search index.
"""

from __future__ import annotations

import fnmatch
import os
import re
from html import escape

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.directives.code import LiteralInclude
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective

LANGUAGES = [('en', 'English'), ('ja', '日本語')]


class MarkUntranslatedSources(SphinxTransform):
    """Mark text from generated or code-owned sources as not translatable."""

    # Sphinx's Locale transform (which both translates and decides what the
    # gettext builder sees) runs at priority 20; this must run before it.
    default_priority = 5

    def apply(self, **kwargs) -> None:
        patterns = self.config.teachmp_untranslated_sources
        mark = _mark_untranslatable

        def matches(node) -> bool:
            source = (node.source or '').replace(os.sep, '/')
            return bool(source) and any(fnmatch.fnmatchcase(source, p) for p in patterns)

        for node in self.document.findall(nodes.TextElement):
            if matches(node):
                mark(node)
        # Anything given the class "notranslate" (e.g. ":class: notranslate"
        # on a rubric), with everything inside it.
        for node in self.document.findall(nodes.Element):
            if 'notranslate' in node.get('classes', ()):
                for inner in node.findall(nodes.TextElement):
                    mark(inner)
        # An object description that autodoc built from a docstring also holds
        # nodes Sphinx made itself (field names such as "Parameters", which it
        # already translates through its own catalogs): keep the whole
        # description out of the page's catalog.
        for desc in self.document.findall(addnodes.desc):
            texts = list(desc.findall(nodes.TextElement))
            if any(matches(n) for n in texts):
                for n in texts:
                    mark(n)


def _mark_untranslatable(node) -> None:
    """``translatable=False`` on a block of text, never on an inline node.

    An inline node (``nodes.inline`` and its subclasses: the ``desc_sig_*``
    pieces of an autodoc signature, such as a parameter's name) that carries
    a ``translatable`` attribute is taken by Sphinx for a translation
    placeholder: its RemoveTranslatableInline transform removes it and
    appends its children to the end of the parent, which turned
    ``BaseProcess(group=None)`` into ``BaseProcess(=groupNone)``.  Inline
    nodes need no mark anyway: Sphinx extracts messages from the block that
    holds them, and that block is marked.
    """
    if not isinstance(node, nodes.inline):
        node['translatable'] = False


def _lang_links(app, pagename: str) -> list[dict]:
    """Relative links from this page to the same page in each language."""
    up = '../' * (pagename.count('/') + 1)  # from <lang>/<page>.html to the site root
    target = app.builder.get_target_uri(pagename)
    current = app.config.language or 'en'
    return [
        {'code': code, 'name': name, 'href': f'{up}{code}/{target}',
         'current': code == current}
        for code, name in LANGUAGES
    ]


def on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    links = _lang_links(app, pagename)
    context['lang_links'] = links
    alternates = ''.join(
        f'<link rel="alternate" hreflang="{link["code"]}" href="{escape(link["href"])}" />\n'
        for link in links
    )
    context['metatags'] = context.get('metatags', '') + alternates


class IncludeUntranslated(SphinxDirective):
    """``{include-untranslated} /../benchmarks/results.md``: MyST's include, minus i18n.

    The file is parsed as Markdown in place (headings allowed, shifted by
    ``:heading-offset:``), exactly like ``{include}``, and every text node it
    produced is then marked ``translatable=False``: it appears as it is in
    every language and never in a gettext catalog.  Marking by what the
    include produced, rather than by node source, matters because MyST does
    not give every node (table cells, for one) the included file's name.
    A missing file is not an error: the page says to run ``make bench``.
    """

    required_arguments = 1
    final_argument_whitespace = True
    # end-before: the benchmarks page shows the scaling section of
    # results.md in its own section, so it stops the include before it.
    option_spec = {'heading-offset': directives.nonnegative_int,
                   'end-before': directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        rel, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(rel)
        if not os.path.exists(path):
            text = f'{os.path.basename(path)} does not exist yet: run `make bench`.'
            return [nodes.literal_block(text, text)]
        renderer = getattr(self.state, '_renderer', None)
        if renderer is None:
            raise self.error('include-untranslated works in MyST (.md) pages only')
        from docutils.parsers.rst.directives.misc import Include
        from myst_parser.mocking import MockIncludeDirective

        document = self.state.document
        before = {id(n) for n in document.findall(nodes.TextElement)}
        include = MockIncludeDirective(
            renderer, 'include', Include, [self.arguments[0]],
            dict(self.options), [], self.lineno,
        )
        result = include.run()
        for tree in [document, *result]:
            for node in tree.findall(nodes.TextElement):
                if id(node) not in before:
                    _mark_untranslatable(node)
            # A class for the style sheet: the benchmark tables are wide and
            # get a compact layout that fits the page (docs/_static/teachmp.css).
            for table in tree.findall(nodes.table):
                if 'teachmp-included' not in table['classes']:
                    table['classes'].append('teachmp-included')
        return result


# -- the rest of the library on the API page -----------------------------------

OTHER_MODULES_MARKER = '<!-- teachmp: every other module -->'
_AUTOMODULE = re.compile(r'^\.\. automodule::\s+(\S+)', re.MULTILINE)


def library_modules(package_dir: str, package: str = 'teachmp') -> list[str]:
    """Every importable module under the package directory, sorted."""
    found = []
    for dirpath, dirnames, files in os.walk(package_dir):
        dirnames[:] = sorted(d for d in dirnames
                             if os.path.exists(os.path.join(dirpath, d, '__init__.py')))
        rel = os.path.relpath(dirpath, package_dir)
        prefix = package if rel == '.' else package + '.' + rel.replace(os.sep, '.')
        for name in sorted(files):
            if not name.endswith('.py') or name == '__main__.py':
                continue
            found.append(prefix if name == '__init__.py' else f'{prefix}.{name[:-3]}')
    return sorted(set(found) - {package})


def on_source_read_modules(app, docname, source) -> None:
    """Replace the marker with an automodule for every module not yet on the page.

    A new module then appears in the API reference without anyone editing
    the page, and its name (a rubric marked ``notranslate``) adds nothing to
    the Japanese catalog.
    """
    text = source[0]
    if OTHER_MODULES_MARKER not in text:
        return
    shown = set(_AUTOMODULE.findall(text))
    modules = library_modules(_package_dir(app))
    app.env.teachmp_api_modules = modules  # see on_env_get_outdated
    blocks = []
    for module in modules:
        if module in shown:
            continue
        blocks.append(
            '```{eval-rst}\n'
            f'.. rubric:: {module}\n'
            '   :class: teachmp-module notranslate\n\n'
            f'.. automodule:: {module}\n'
            '   :members:\n'
            '```\n'
        )
    source[0] = text.replace(OTHER_MODULES_MARKER, '\n'.join(blocks))


def _package_dir(app) -> str:
    return os.path.join(os.path.dirname(app.srcdir), 'teachmp')


def on_env_get_outdated(app, env, added, changed, removed):
    """Re-read the API page when a module appeared or went.

    A changed module needs nothing here (autodoc records the module files
    the page depends on); only the list of modules is the page's own input.
    Reading the page imports the whole library and takes seconds, so a
    rebuild with nothing changed skips it.
    """
    if 'api' not in env.found_docs or 'api' in added | changed:
        return []
    if getattr(env, 'teachmp_api_modules', None) == library_modules(_package_dir(app)):
        return []
    return ['api']


# -- the "[source]" links: teachmp's own code only ---------------------------------

def on_autodoc_skip_member(app, what, name, obj, skip, options):
    """Leave out what a module only re-exports from the standard library.

    ``teachmp.dummy`` hands out ``threading.Condition`` and ``queue.Queue``
    as they are, and a module's ``__all__`` may name ``pickle.PicklingError``:
    documented here, they would show the stdlib's docstrings as teachmp's and
    their "[source]" links would lead to the stdlib's code (or, for classes
    written in C such as ``_thread.RLock``, to a page that is never written).
    """
    if what == 'module' and callable(obj):  # a class or a function
        module = getattr(obj, '__module__', None) or ''
        if module != 'teachmp' and not module.startswith('teachmp.'):
            return True
    return None


def on_collect_pages_drop_unreadable(app):
    """Forget the modules viewcode could not read before it writes its index.

    viewcode records a module it failed to analyse (one written in C, such as
    ``_pickle``) as ``False`` and still lists it on ``_modules/index.html``,
    a link to a page it never writes.  Runs before viewcode's own handler.
    """
    modules = getattr(app.env, '_viewcode_modules', None)
    if modules:
        for name in [n for n, entry in modules.items() if entry is False]:
            del modules[name]
    return []


# -- code blocks without the test harness's instructions -----------------------------

# The directives tests/examples_harness.py reads from an example's first lines
# ("# example: skip \"reason\"", "# example: erase REGEX", ...): same pattern.
HARNESS_LINE = re.compile(r'^[ \t]*#[ \t]*example:[ \t]*[\w-]+.*(?:\n|$)', re.MULTILINE)


class LiteralIncludeForReaders(LiteralInclude):
    """``literalinclude``, minus the example harness's ``# example:`` lines.

    They tell the test harness how to compare an example's output; a reader
    has no use for them, in the code block or in the search snippets.  The
    file keeps them (the harness reads the file).  Line-number options would
    count the removed lines, so with those the lines stay, with a warning
    (an error under ``-W``): skip them with ``:lines:`` there instead.
    """

    NUMBERED = ('lines', 'emphasize-lines', 'linenos', 'lineno-start',
                'lineno-match', 'diff')

    def run(self) -> list[nodes.Node]:
        result = super().run()
        for block in result:
            for node in block.findall(nodes.literal_block):
                text = node.astext()
                if not HARNESS_LINE.search(text):
                    continue
                if any(opt in self.options for opt in self.NUMBERED):
                    raise self.warning(
                        f"{self.arguments[0]}: the '# example:' lines would show; "
                        "leave them out with :lines:")
                stripped = HARNESS_LINE.sub('', text)
                node.children[:] = [nodes.Text(stripped)]
                node.rawsource = stripped
        return result


def setup(app):
    app.add_config_value('teachmp_untranslated_sources', [], 'env', [list])
    app.add_transform(MarkUntranslatedSources)
    app.connect('html-page-context', on_html_page_context)
    app.add_directive('include-untranslated', IncludeUntranslated)
    app.connect('source-read', on_source_read_modules)
    app.connect('env-get-outdated', on_env_get_outdated)
    app.add_directive('literalinclude', LiteralIncludeForReaders, override=True)
    app.connect('autodoc-skip-member', on_autodoc_skip_member)
    app.connect('html-collect-pages', on_collect_pages_drop_unreadable, priority=400)
    return {'version': '1.0', 'parallel_read_safe': True, 'parallel_write_safe': True}
