#!/usr/bin/env python3
"""Build the teachmp site in English and Japanese, and keep the translations honest.

    python tools/build_docs.py              # check .po, build en + ja (-W) into docs/_build/html
    python tools/build_docs.py --check-po   # only check the Japanese catalogs (+ tools/ja_check.py)
    python tools/build_docs.py --update-po  # regenerate .pot, merge into docs/locale/ja/*.po
    python tools/build_docs.py --update-po tutorials/03-pipes/index   # one page's .po only

English is the source.  Japanese lives in gettext catalogs, one per page,
under docs/locale/ja/LC_MESSAGES/ (``gettext_compact = False``).  The check
builds a fresh .pot set with Sphinx's gettext builder and requires, for
every message in it, a non-empty and non-fuzzy translation in the matching
.po file.  So a changed English paragraph (which ``--update-po`` marks fuzzy),
a new paragraph, or a new page without a .po all stop the build and are
listed.  Then tools/ja_check.py checks the Japanese text against the glossary
(CONTRIBUTING.ja.md, 用語集) and its typography rules; ``--update-po`` drops
the obsolete ``#~`` entries that sphinx-intl would keep.  The .mo files are
build outputs: Sphinx compiles them itself.

Standard library plus Sphinx (and babel, which Sphinx depends on).  Paths are
built with os.path, so the script does not care about the separator.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, 'docs')
BUILD = os.path.join(DOCS, '_build')
HTML = os.path.join(BUILD, 'html')
DOCTREES = os.path.join(BUILD, 'doctrees')
GETTEXT = os.path.join(BUILD, 'gettext')
LOCALE = os.path.join(DOCS, 'locale')
LANGUAGES = ('en', 'ja')
TRANSLATED = ('ja',)
GETTEXT_FAILED = 'the gettext build failed (see the messages above)'

REDIRECT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>teachmp</title>
<meta http-equiv="refresh" content="0; url=en/index.html">
<link rel="alternate" hreflang="ja" href="ja/index.html">
</head>
<body>
<p><a href="en/index.html">teachmp documentation (English)</a></p>
<p><a href="ja/index.html" lang="ja">teachmp ドキュメント（日本語）</a></p>
</body>
</html>
"""


def say(msg: str) -> None:
    print(f'build_docs: {msg}', flush=True)


def _shown(path: str) -> str:
    """A path as short as it can be said: from the checkout if it is inside."""
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith('..') else rel


HEARTBEAT = 10.0  # seconds between "still ..." lines while Sphinx is quiet


def sphinx(builder: str, outdir: str, doctrees: str, language: str, strict: bool,
           what: str = '') -> int:
    """Run sphinx-build in a child interpreter (same Python as this script).

    Sphinx runs with ``-q`` (only warnings and errors), so this says what is
    being built, then a line every HEARTBEAT seconds while it works (a first
    build reads every page and records the chapters' timelines, which takes
    a minute), then how long it took.
    """
    cmd = [sys.executable, '-m', 'sphinx', '-b', builder, '-d', doctrees,
           '-D', f'language={language}', '-q']
    if strict:
        cmd += ['-W', '--keep-going']
    cmd += [DOCS, outdir]
    what = what or f'{builder} ({language})'
    first = not os.path.exists(os.path.join(doctrees, 'environment.pickle'))
    say(f"{what}: {'first build, every page' if first else 'the pages changed since the last build'}"
        f" -> {_shown(outdir)}")
    started = time.monotonic()
    child = subprocess.Popen(cmd, cwd=ROOT)
    while True:
        try:
            rc = child.wait(timeout=HEARTBEAT)
            break
        except subprocess.TimeoutExpired:
            say(f'  ... still building {what} ({time.monotonic() - started:.0f} s)'
                + (': reading every page and recording the timelines (only the first time)'
                   if first else ''))
        except KeyboardInterrupt:
            child.wait()
            raise
    say(f"{what}: {'done' if rc == 0 else f'FAILED (exit {rc})'} in "
        f"{time.monotonic() - started:.1f} s")
    return rc


def build_pot(outdir: str = GETTEXT) -> int:
    """Fresh .pot files for every page (the English source of truth)."""
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    # Not strict: the HTML builds report the warnings; here only the messages matter.
    return sphinx('gettext', outdir, os.path.join(DOCTREES, 'gettext'), 'en', strict=False,
                  what='the English messages (.pot) to check the Japanese catalogs against')


# -- checking the catalogs -----------------------------------------------------

def _catalogs(top: str, ext: str) -> dict[str, str]:
    """{page name with '/' separators: path} for every file ending in ext under top."""
    found = {}
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            if name.endswith(ext):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, top)[: -len(ext)]
                found[rel.replace(os.sep, '/')] = path
    return found


def _english_source(potdir: str, location: str) -> str:
    """A .pot location (Sphinx writes it relative to the gettext output
    directory) as a path from the checkout, through the docs/tutorials link."""
    path = os.path.normpath(os.path.join(potdir, location))
    return os.path.relpath(os.path.realpath(path), ROOT).replace(os.sep, '/')


def _read(path: str):
    from babel.messages.pofile import read_po

    with open(path, 'rb') as f:
        return read_po(f)


def check_po(language: str = 'ja', potdir: str | None = None) -> list[str]:
    """Return a list of problems (empty when every message is translated).

    potdir: a .pot set that was just built; by default a fresh one is built
    in a temporary directory.
    """
    if potdir is None:
        with tempfile.TemporaryDirectory(prefix='teachmp-pot-') as tmp:
            if build_pot(tmp) != 0:
                return [GETTEXT_FAILED]
            return check_po(language, tmp)
    pots = _catalogs(potdir, '.pot')
    pos = _catalogs(os.path.join(LOCALE, language, 'LC_MESSAGES'), '.po')
    problems = []
    for page in sorted(pots):
        wanted = [m for m in _read(pots[page]) if m.id]
        if not wanted:
            continue
        if page not in pos:
            problems.append(f'{page}: no .po file ({len(wanted)} messages); '
                            'run tools/build_docs.py --update-po and translate it')
            continue
        catalog = _read(pos[page])
        rel = os.path.relpath(pos[page], ROOT).replace(os.sep, '/')
        for msg in wanted:
            entry = catalog.get(msg.id)
            where = ', '.join(f'{_english_source(potdir, f)}:{n}'
                              for f, n in msg.locations[:1])
            text = msg.id if isinstance(msg.id, str) else msg.id[0]
            short = ' '.join(text.split())
            if len(short) > 70:
                short = short[:67] + '...'
            if entry is None:
                problems.append(f'{rel}: missing: {short!r} ({where})')
            elif entry.fuzzy:
                problems.append(f'{rel}: fuzzy: {short!r} ({where})')
            elif not entry.string or (
                    not isinstance(entry.string, str) and not all(entry.string)):
                problems.append(f'{rel}: untranslated: {short!r} ({where})')
    # sphinx.po overrides Sphinx's own Japanese messages: not a page.
    for page in sorted(set(pos) - set(pots) - {'sphinx'}):
        say(f'note: {os.path.relpath(pos[page], ROOT)} matches no page with '
            'translatable text (stale? delete it if the page is gone)')
    return problems


def report_po(problems: list[str]) -> bool:
    if problems == [GETTEXT_FAILED]:
        say(GETTEXT_FAILED)
        return False
    if not problems:
        say('Japanese catalogs: every message translated, none fuzzy')
        return True
    say(f'Japanese catalogs: {len(problems)} problem(s):')
    for line in problems:
        print(f'  {line}')
    say("fix: python tools/build_docs.py --update-po, then translate the listed "
        "entries in docs/locale/ja/LC_MESSAGES/ and remove their '#, fuzzy' flags")
    return False


def update_po(pages: list[str] | None = None) -> int:
    """Regenerate the .pot files and merge them into the .po files (sphinx-intl).

    pages: only these pages' catalogs (e.g. "tutorials/03-pipes/index"), so
    that several people translating different chapters do not rewrite each
    other's files; default every page.
    """
    if build_pot() != 0:
        return 1
    potdir = GETTEXT
    with tempfile.TemporaryDirectory(prefix='teachmp-pot-some-') as some:
        if pages:
            pots = _catalogs(GETTEXT, '.pot')
            for page in pages:
                page = page.replace(os.sep, '/').removesuffix('.md')
                if page not in pots:
                    say(f'no page {page!r} with translatable text; pages: '
                        + ', '.join(sorted(pots)))
                    return 2
                dest = os.path.join(some, *page.split('/')) + '.pot'
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                shutil.copy(pots[page], dest)
            potdir = some
        cmd = [sys.executable, '-m', 'sphinx_intl', 'update', '-p', potdir,
               '-d', LOCALE] + [arg for lang in TRANSLATED for arg in ('-l', lang)]
        say(' '.join(cmd[1:]))
        rc = subprocess.call(cmd, cwd=ROOT)
    if rc == 0:
        # sphinx-intl keeps a removed paragraph as a '#~' entry; nothing reads
        # them and tools/ja_check.py refuses them, so they go now.
        for lang in TRANSLATED:
            for page, path in _catalogs(os.path.join(LOCALE, lang, 'LC_MESSAGES'), '.po').items():
                if not pages or page in [p.replace(os.sep, '/').removesuffix('.md') for p in pages]:
                    drop_obsolete(path)
        for lang in TRANSLATED:  # tell what is left to translate
            report_po(check_po(lang, GETTEXT))
    return rc


def drop_obsolete(path: str) -> int:
    """Remove the '#~' (obsolete) entries of one .po file, leaving the rest
    byte for byte as it is; return how many were removed."""
    with open(path, encoding='utf-8') as f:
        blocks = f.read().split('\n\n')
    keep = [b for b in blocks
            if not (b.strip() and all(line.startswith('#~') for line in b.strip().split('\n')))]
    if len(keep) != len(blocks):
        text = '\n\n'.join(keep)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text if text.endswith('\n') else text + '\n')
    return len(blocks) - len(keep)


def check_japanese() -> bool:
    """tools/ja_check.py: the glossary's forms and the typography rules."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import ja_check

    problems = ja_check.check()
    if not problems:
        say('Japanese text: follows the glossary (tools/ja_check.py)')
        return True
    say(f'Japanese text: {len(problems)} problem(s) (tools/ja_check.py):')
    for p in problems:
        print(f'  {p}')
    say('fix: the forms to use are in CONTRIBUTING.ja.md (用語集) and docs/glossary.md')
    return False


# -- checking that the site works offline --------------------------------------

class _AssetFinder(HTMLParser):
    """Collect URLs that a browser would fetch when showing the page."""

    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        urls = []
        if tag in ('script', 'img', 'iframe', 'source', 'audio', 'video', 'embed'):
            urls.append(a.get('src'))
        if tag == 'link' and (a.get('rel') or '') not in ('alternate', 'canonical'):
            urls.append(a.get('href'))
        if tag == 'object':
            urls.append(a.get('data'))
        for url in urls:
            if url and (url.startswith(('http://', 'https://', '//'))):
                self.remote.append(f'<{tag}> {url}')


_CSS_REMOTE = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""")


def check_offline(site: str) -> list[str]:
    """Every URL a page or a style sheet would fetch from another host."""
    problems = []
    for dirpath, _dirs, files in os.walk(site):
        for name in files:
            path = os.path.join(dirpath, name)
            if name.endswith('.html'):
                finder = _AssetFinder()
                with open(path, encoding='utf-8') as f:
                    finder.feed(f.read())
                remote = finder.remote
            elif name.endswith('.css'):
                with open(path, encoding='utf-8', errors='replace') as f:
                    remote = [f'css {u}' for u in _CSS_REMOTE.findall(f.read())]
            else:
                continue
            problems += [f'{os.path.relpath(path, ROOT)}: {u}' for u in remote]
    return problems


# -- the whole build -----------------------------------------------------------

def build_all() -> int:
    failed = []
    os.makedirs(HTML, exist_ok=True)
    if sphinx('html', os.path.join(HTML, 'en'), os.path.join(DOCTREES, 'en'), 'en', True,
              what='the English site'):
        failed.append('English build (warnings are errors)')
    for lang in TRANSLATED:
        if not report_po(check_po(lang)):
            failed.append(f'{lang} catalogs')
            continue
        if lang == 'ja' and not check_japanese():
            failed.append('Japanese text (tools/ja_check.py)')
            continue
        if sphinx('html', os.path.join(HTML, lang), os.path.join(DOCTREES, lang), lang, True,
                  what=f'the {lang} site'):
            failed.append(f'{lang} build (warnings are errors)')
    with open(os.path.join(HTML, 'index.html'), 'w', encoding='utf-8') as f:
        f.write(REDIRECT)
    say('checking that no page loads anything from another site')
    remote = check_offline(HTML)
    if remote:
        failed.append('offline check')
        say('pages that load assets from another site:')
        for line in remote[:40]:
            print(f'  {line}')
    if failed:
        say('FAILED: ' + '; '.join(failed))
        return 1
    say(f"done: open {os.path.join(HTML, 'index.html')} (or run: make serve)")
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        import sphinx  # noqa: F401
        import sphinx_intl  # noqa: F401
    except ImportError as exc:
        say(f'{exc.name} is not installed for {sys.executable}: run `make docs` '
            '(it creates .venv), or use .venv/bin/python')
        return 2
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--update-po', nargs='*', metavar='PAGE',
                       help='regenerate the .pot files and merge them into docs/locale/ja '
                            '(keeps translations; changed entries become fuzzy)')
    group.add_argument('--check-po', action='store_true',
                       help='only check that every Japanese entry is translated and not fuzzy')
    args = parser.parse_args(argv)
    if args.update_po is not None:
        return update_po(args.update_po)
    if args.check_po:
        ok = all(report_po(check_po(lang)) for lang in TRANSLATED)
        return 0 if check_japanese() and ok else 1
    return build_all()


if __name__ == '__main__':
    sys.exit(main())
