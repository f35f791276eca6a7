"""Small Sphinx extension for the teachmp site.

Three jobs, each a few lines:

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
"""

from __future__ import annotations

import fnmatch
import os
from html import escape

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import SphinxDirective

LANGUAGES = [("en", "English"), ("ja", "日本語")]


class MarkUntranslatedSources(SphinxTransform):
    """Mark text from generated or code-owned sources as not translatable."""

    # Sphinx's Locale transform (which both translates and decides what the
    # gettext builder sees) runs at priority 20; this must run before it.
    default_priority = 5

    def apply(self, **kwargs) -> None:
        patterns = self.config.teachmp_untranslated_sources
        if not patterns:
            return
        def matches(node) -> bool:
            source = (node.source or "").replace(os.sep, "/")
            return bool(source) and any(fnmatch.fnmatchcase(source, p) for p in patterns)

        for node in self.document.findall(nodes.TextElement):
            if matches(node):
                node["translatable"] = False
        # An object description that autodoc built from a docstring also holds
        # nodes Sphinx made itself (field names such as "Parameters", which it
        # already translates through its own catalogs): keep the whole
        # description out of the page's catalog.
        for desc in self.document.findall(addnodes.desc):
            texts = list(desc.findall(nodes.TextElement))
            if any(matches(n) for n in texts):
                for n in texts:
                    n["translatable"] = False


def _lang_links(app, pagename: str) -> list[dict]:
    """Relative links from this page to the same page in each language."""
    up = "../" * (pagename.count("/") + 1)  # from <lang>/<page>.html to the site root
    target = app.builder.get_target_uri(pagename)
    current = app.config.language or "en"
    return [
        {"code": code, "name": name, "href": f"{up}{code}/{target}",
         "current": code == current}
        for code, name in LANGUAGES
    ]


def on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    links = _lang_links(app, pagename)
    context["lang_links"] = links
    alternates = "".join(
        f'<link rel="alternate" hreflang="{link["code"]}" href="{escape(link["href"])}" />\n'
        for link in links
    )
    context["metatags"] = context.get("metatags", "") + alternates


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
    option_spec = {"heading-offset": directives.nonnegative_int}

    def run(self) -> list[nodes.Node]:
        rel, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(rel)
        if not os.path.exists(path):
            text = f"{os.path.basename(path)} does not exist yet: run `make bench`."
            return [nodes.literal_block(text, text)]
        renderer = getattr(self.state, "_renderer", None)
        if renderer is None:
            raise self.error("include-untranslated works in MyST (.md) pages only")
        from docutils.parsers.rst.directives.misc import Include
        from myst_parser.mocking import MockIncludeDirective

        document = self.state.document
        before = {id(n) for n in document.findall(nodes.TextElement)}
        include = MockIncludeDirective(
            renderer, "include", Include, [self.arguments[0]],
            dict(self.options), [], self.lineno,
        )
        result = include.run()
        for tree in [document, *result]:
            for node in tree.findall(nodes.TextElement):
                if id(node) not in before:
                    node["translatable"] = False
        return result


def setup(app):
    app.add_config_value("teachmp_untranslated_sources", [], "env", [list])
    app.add_transform(MarkUntranslatedSources)
    app.connect("html-page-context", on_html_page_context)
    app.add_directive("include-untranslated", IncludeUntranslated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
