"""Sphinx configuration for the teachmp site (English source, Japanese via gettext).

Build both languages with ``python tools/build_docs.py`` (or ``make docs``);
that script passes ``-D language=en`` or ``-D language=ja``.  Everything the
site needs is served from the build directory: no CDN, no web fonts, no
intersphinx, so it works offline.
"""

import os
import sys

DOCS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(DOCS)
sys.path.insert(0, ROOT)  # autodoc imports teachmp from the checkout
sys.path.insert(0, os.path.join(DOCS, '_ext'))

project = 'teachmp'
author = 'the teachmp contributors'
copyright = '2026, the teachmp contributors'
release = version = '0.1.0'

extensions = [
    'myst_parser',
    'sphinx.ext.autodoc',
    'sphinx.ext.napoleon',
    'sphinx.ext.viewcode',
    'sphinx_copybutton',
    'sphinx_design',
    'teachmp_docs',  # docs/_ext/teachmp_docs.py: language switch, untranslated sources
    'teachmp_timeline',  # docs/_ext/teachmp_timeline.py: recorded timelines of examples
]

source_suffix = {'.md': 'markdown', '.rst': 'restructuredtext'}
root_doc = 'index'
exclude_patterns = [
    '_build',
    'locale',
    'Thumbs.db',
    '.DS_Store',
    '**/.pytest_cache',
    'tutorials/README.md',  # the note for example authors, not a page
    'tutorials/*/examples/**',
    'reliability_matrix.md',  # tables written by make faults / make soak,
    'soak_summary.md',        # included by reliability.md, not pages
]
templates_path = ['_templates']

# -- MyST --------------------------------------------------------------------
myst_enable_extensions = ['colon_fence', 'deflist']
myst_heading_anchors = 3  # [text](#some-heading) links within and across pages

# -- Translation ---------------------------------------------------------------
language = 'en'  # overridden with -D language=ja by tools/build_docs.py
locale_dirs = ['locale/']
gettext_compact = False  # one catalog per page
gettext_uuid = False
gettext_location = True
# gettext_additional_targets stays empty: code blocks are never translated.
figure_language_filename = '{root}.{language}{ext}'

# Text that must never reach the Japanese catalogs (see docs/_ext/teachmp_docs.py):
# docstrings pulled in by autodoc. (The benchmark table uses {include-untranslated}.)
teachmp_untranslated_sources = [
    '*:docstring of *',
]

# -- autodoc -------------------------------------------------------------------
autodoc_member_order = 'bysource'
autodoc_typehints = 'description'
# Defaults as written in the source: a repr (a cache dict full of classes) can
# be unreadable, and autodoc then splits the signature at every comma.
autodoc_preserve_defaults = True
autodoc_default_options = {'show-inheritance': True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# -- HTML ----------------------------------------------------------------------
html_theme = 'pydata_sphinx_theme'
html_title = 'teachmp'
html_static_path = ['_static']
html_css_files = ['teachmp.css']
html_js_files = ['teachmp-lang.js']  # the language switch keeps the anchor and the query
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    # Right of the navbar: search, the language switch (_templates/lang-switch.html)
    # and the light/dark switch.  No icon links: nothing on the site points at
    # or loads from another host (icons come from the theme's bundled copy).
    'navbar_end': ['search-button-field', 'lang-switch', 'theme-switcher'],
    'navbar_persistent': [],
    # The chapters are listed in the left sidebar (_templates/globaltoc.html)
    # and on the front page; a navbar link per chapter would not fit.
    'navbar_center': [],
    'icon_links': [],
    'show_toc_level': 2,
    'navigation_with_keys': False,
    'use_edit_page_button': False,
    'secondary_sidebar_items': ['page-toc'],
    'footer_start': ['copyright'],
    'footer_end': [],
    'show_prev_next': True,
}
html_sidebars = {'index': [], '**': ['globaltoc.html']}
html_context = {'default_mode': 'auto'}

# Sphinx's MathJax support would pull a script from a CDN.  The site uses no
# math; a page that did would need MathJax copied into _static/ (and this
# path pointed at it): tools/build_docs.py fails the build if any page loads
# an asset from another site.
mathjax_path = 'mathjax-is-not-used.js'

# copybutton: strip prompts from console/pycon blocks when copying
copybutton_prompt_text = r'>>> |\.\.\. |\$ '
copybutton_prompt_is_regexp = True
