"""Small Sphinx extension for the teachmp site.

Four jobs, each a few lines:

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
  ``automodule`` for each module of teachmp/ the page does not show yet.
"""

from __future__ import annotations

import fnmatch
import os
import re
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

        def matches(node) -> bool:
            source = (node.source or "").replace(os.sep, "/")
            return bool(source) and any(fnmatch.fnmatchcase(source, p) for p in patterns)

        for node in self.document.findall(nodes.TextElement):
            if matches(node):
                node["translatable"] = False
        # Anything given the class "notranslate" (e.g. ":class: notranslate"
        # on a rubric), with everything inside it.
        for node in self.document.findall(nodes.Element):
            if "notranslate" in node.get("classes", ()):
                for inner in node.findall(nodes.TextElement):
                    inner["translatable"] = False
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
    # end-before: the benchmarks page shows the scaling section of
    # results.md in its own section, so it stops the include before it.
    option_spec = {"heading-offset": directives.nonnegative_int,
                   "end-before": directives.unchanged_required}

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


# -- the rest of the library on the API page -----------------------------------

OTHER_MODULES_MARKER = "<!-- teachmp: every other module -->"
_AUTOMODULE = re.compile(r"^\.\. automodule::\s+(\S+)", re.MULTILINE)


def library_modules(package_dir: str, package: str = "teachmp") -> list[str]:
    """Every importable module under the package directory, sorted."""
    found = []
    for dirpath, dirnames, files in os.walk(package_dir):
        dirnames[:] = sorted(d for d in dirnames
                             if os.path.exists(os.path.join(dirpath, d, "__init__.py")))
        rel = os.path.relpath(dirpath, package_dir)
        prefix = package if rel == "." else package + "." + rel.replace(os.sep, ".")
        for name in sorted(files):
            if not name.endswith(".py") or name == "__main__.py":
                continue
            found.append(prefix if name == "__init__.py" else f"{prefix}.{name[:-3]}")
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
    package_dir = os.path.join(os.path.dirname(app.srcdir), "teachmp")
    blocks = []
    for module in library_modules(package_dir):
        if module in shown:
            continue
        blocks.append(
            "```{eval-rst}\n"
            f".. rubric:: {module}\n"
            "   :class: teachmp-module notranslate\n\n"
            f".. automodule:: {module}\n"
            "   :members:\n"
            "```\n"
        )
    source[0] = text.replace(OTHER_MODULES_MARKER, "\n".join(blocks))


def on_env_get_outdated(app, env, added, changed, removed):
    """Re-read pages with the marker every build: a module may have appeared."""
    return [doc for doc in env.found_docs
            if doc == "api" and doc not in added | changed]


def setup(app):
    app.add_config_value("teachmp_untranslated_sources", [], "env", [list])
    app.add_transform(MarkUntranslatedSources)
    app.connect("html-page-context", on_html_page_context)
    app.add_directive("include-untranslated", IncludeUntranslated)
    app.connect("source-read", on_source_read_modules)
    app.connect("env-get-outdated", on_env_get_outdated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
