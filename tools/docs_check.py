#!/usr/bin/env python3
"""Check the built site the way a reader meets it: in a real browser.

    python tools/docs_check.py [--html docs/_build/html] [--timeout 240] [-v]

Serves ``docs/_build/html`` (built by ``make docs``) on 127.0.0.1 on a free
port and drives headless Chromium (Debian's ``chromium`` and
``chromium-driver``, through Selenium; nothing is downloaded: the driver's
path is given explicitly, so selenium-manager never runs).  For the index,
the API and benchmarks pages and every chapter page
(``tutorials/*/index.html``) in ``en/`` and ``ja/``:

* the page loads with no console error (the browser log, level SEVERE) and
  every file it asks the server for exists (no 4xx/5xx);
* no request leaves localhost (the performance log's Network events: any
  URL not under ``http://127.0.0.1:PORT/`` or ``data:`` fails);
* the language switch (``nav.teachmp-lang-switch``, see
  docs/_templates/lang-switch.html) leads to the same page in the other
  language;
* a chapter page with code has a sphinx-copybutton ``.copybtn`` on each
  code block (and the chapters together have some).

On ``api.html`` every signature reads as Python (``BaseProcess(group=None,
...)``, not ``BaseProcess(=groupNone, ...)``); on ``benchmarks.html`` no
table is wider than its column.  The Japanese search page finds a Japanese
term (``プロセス``) in at least one chapter, and the language switch keeps a
section anchor and a search query.  Before the browser starts, every link
between the site's own pages is followed on disk (no dead internal link),
``api.html`` must have a section for every module of teachmp/, and no
code block may show the example harness's ``# example:`` lines.

Exit status 0 when everything passed, 1 when a check failed, 2 when the
site or the browser is missing.  The helpers above ``main`` are pure (no
browser) and tested in tests/test_docs_check_tool.py.
"""

from __future__ import annotations

import argparse
import functools
import glob
import http.server
import json
import os
import posixpath
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HTML = os.path.join(ROOT, 'docs', '_build', 'html')
LANGUAGES = ('en', 'ja')
CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
CHROMIUM_FLAGS = (
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage', '--window-size=1400,1000',
)
SEARCH_TERM = 'プロセス'  # "process": in every Japanese chapter
# Requests made by the browser's own pages, not by the site.
BROWSER_PAGES = ('chrome://', 'chrome-untrusted://', 'devtools://')
# Asked for by the browser itself when a page names no icon; no reader sees it fail.
AUTOMATIC = ('/favicon.ico',)
# The language switch must keep these (a section anchor, a search query).
SWITCH_PLACES = (('en/benchmarks.html', '#how-it-is-measured'),
                 ('ja/search.html', '?q=' + quote(SEARCH_TERM)))
WAIT = 15.0  # seconds for one thing to appear in the page


# ---------------------------------------------------------------- pure helpers

def say(msg: str) -> None:
    print(f'docs_check: {msg}', flush=True)


# Pages beside the index and the chapters that the browser loads too.
EXTRA_PAGES = ('api.html', 'benchmarks.html')


def find_pages(html_root: str, lang: str) -> list[str]:
    """The index, the API and benchmarks pages and every chapter page of one
    language, as paths relative to the site root with '/' separators (e.g.
    'ja/tutorials/03-pipes/index.html')."""
    base = os.path.join(html_root, lang)
    pages = []
    if os.path.isfile(os.path.join(base, 'index.html')):
        pages.append(f'{lang}/index.html')
    pages += [f'{lang}/{name}' for name in EXTRA_PAGES
              if os.path.isfile(os.path.join(base, name))]
    for path in sorted(glob.glob(os.path.join(base, 'tutorials', '*', 'index.html'))):
        chapter = os.path.basename(os.path.dirname(path))
        pages.append(f'{lang}/tutorials/{chapter}/index.html')
    return pages


def counterpart(page: str, lang: str) -> str:
    """The same page in another language: 'en/x/index.html' -> 'ja/x/index.html'."""
    _, _, rest = page.partition('/')
    return f'{lang}/{rest}'


def missing_counterparts(pages_by_lang: dict[str, list[str]]) -> list[str]:
    """Pages that exist in one language but not in another (sorted)."""
    missing = []
    for lang, pages in pages_by_lang.items():
        for other, other_pages in pages_by_lang.items():
            if other == lang:
                continue
            have = set(other_pages)
            missing += [counterpart(p, other) for p in pages if counterpart(p, other) not in have]
    return sorted(set(missing))


def is_local_url(url: str, origin: str) -> bool:
    """True for a URL that stays on this machine's test server.

    ``origin`` is 'http://127.0.0.1:PORT'.  Allowed: that origin (any path,
    query or fragment), ``data:`` URLs, ``blob:`` URLs of that origin and
    ``about:blank``.  Everything else, including another port, localhost
    spelled differently, https, or a protocol-relative URL, is not.
    """
    if url.startswith('data:') or url in ('about:blank', 'about:srcdoc'):
        return True
    if url.startswith('blob:'):
        url = url[len('blob:'):]
    parts = urlsplit(url)
    o = urlsplit(origin)
    return (parts.scheme, parts.netloc) == (o.scheme, o.netloc)


def request_urls(perf_entries: list[dict]) -> list[str]:
    """Every URL the page asked for, from Chromium's performance log entries
    (each {'message': '<JSON of {"message": {"method", "params"}}>'})."""
    urls = []
    for entry in perf_entries:
        try:
            message = json.loads(entry['message'])['message']
        except (KeyError, TypeError, ValueError):
            continue
        method = message.get('method')
        params = message.get('params', {})
        if params.get('documentURL', '').startswith(BROWSER_PAGES):
            continue  # the browser's own pages (the first tab's new-tab page)
        if method == 'Network.requestWillBeSent':
            url = params.get('request', {}).get('url')
        elif method == 'Network.webSocketCreated':
            url = params.get('url')
        else:
            continue
        if url:
            urls.append(url)
    return urls


def foreign_requests(perf_entries: list[dict], origin: str) -> list[str]:
    """The requests that left localhost (deduplicated, in order)."""
    seen: dict[str, None] = {}
    for url in request_urls(perf_entries):
        if not is_local_url(url, origin):
            seen.setdefault(url, None)
    return list(seen)


def console_errors(browser_entries: list[dict], origin: str = '') -> list[str]:
    """The console messages at level SEVERE (errors, failed loads), except
    the failed load of a file the browser asks for by itself (favicon.ico)."""
    automatic = tuple(f'{origin}{path} ' for path in AUTOMATIC)
    return [e.get('message', '') for e in browser_entries
            if e.get('level') == 'SEVERE'
            and not (origin and e.get('message', '').startswith(automatic))]


def same_page(url: str, origin: str, page: str) -> bool:
    """Is ``url`` (what the browser shows) the site page ``page``?"""
    if not is_local_url(url, origin) or url.startswith(('data:', 'about:', 'blob:')):
        return False
    path = urlsplit(url).path
    if path.endswith('/'):
        path += 'index.html'
    path = posixpath.normpath(path)
    want = posixpath.normpath('/' + page)
    return path == want or quote(want) == path


# An autodoc parameter as the page shows it: "name", "name=default",
# "name: type = default", "*args", "**kwargs", or the bare "/" and "*"
# separators.  A garbled one ("=groupNone": the name moved after the "=")
# does not match.
_PARAM = re.compile(r'(\*{1,2})?[A-Za-z_]\w*(\s*:\s*[^=]+?)?(\s*=\s*\S.*)?|[/*]', re.S)

# What a page's script returns for each signature (see Checker.check_signatures).
SIGNATURES_JS = """
return Array.from(document.querySelectorAll('dt.sig')).map(function (dt) {
  function text(sel) {
    return Array.from(dt.querySelectorAll(sel)).map(function (e) { return e.textContent; });
  }
  return {id: dt.id, keywords: text('.property'), names: text('.sig-name'),
          params: text('em.sig-param')};
});
"""


def signature_problems(signatures: list[dict]) -> list[str]:
    """The garbled API signatures, one line each.

    signatures: what SIGNATURES_JS returns, one dict per ``dt.sig``:
    ``keywords`` (the texts of ``.property``, such as "class "), ``names``
    (``.sig-name``) and ``params`` (each ``em.sig-param``).  A keyword must
    end with its space ("class teachmp.X", not "classteachmp.X"), a name
    must be there, and every parameter must read as Python does.
    """
    problems = []
    for sig in signatures:
        where = sig.get('id') or '(a signature without an id)'
        bad = []
        for keyword in sig.get('keywords', []):
            if keyword.strip() and not keyword[-1:].isspace():
                bad.append(f'keyword {keyword!r} runs into the name')
        if not any(n.strip() for n in sig.get('names', [])):
            bad.append('no name')
        for param in sig.get('params', []):
            if not _PARAM.fullmatch(param.strip()):
                bad.append(f'parameter {param!r}')
        if bad:
            problems.append(f'broken signature {where}: ' + '; '.join(bad))
    return problems


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == 'a':
            href = dict(attrs).get('href')
            if href:
                self.hrefs.append(href)


def dead_links(html_root: str) -> list[str]:
    """Links between the site's own pages that lead to no file, one line each.

    Every ``<a href>`` of every HTML file under ``html_root`` that names no
    scheme (``http:``, ``mailto:``...) and is not only an anchor is resolved
    against its page; the file it names (``index.html`` for a directory)
    must exist inside the site.
    """
    problems = []
    root = os.path.realpath(html_root)
    for dirpath, _dirs, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith('.html'):
                continue
            path = os.path.join(dirpath, name)
            finder = _LinkFinder()
            with open(path, encoding='utf-8', errors='replace') as f:
                finder.feed(f.read())
            page = os.path.relpath(path, root).replace(os.sep, '/')
            seen = set()
            for href in finder.hrefs:
                parts = urlsplit(href)
                if parts.scheme or parts.netloc or not parts.path or href in seen:
                    continue
                seen.add(href)
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(page), unquote(parts.path)))
                full = os.path.join(root, *target.split('/'))
                if target.startswith('../') or target == '..':
                    problems.append(f'{page}: link {href!r} leaves the site')
                elif os.path.isdir(full):
                    if not os.path.isfile(os.path.join(full, 'index.html')):
                        problems.append(f'{page}: dead link {href!r}')
                elif not os.path.isfile(full):
                    problems.append(f'{page}: dead link {href!r}')
    return problems


# The example harness's instructions (tests/examples_harness.py), as they would
# show in a highlighted code block: "<span class="c1"># example: skip ...</span>".
_HARNESS_IN_HTML = re.compile(r'>#\s*example:\s*[\w-]+')


def harness_lines(html_root: str) -> list[str]:
    """Pages whose code blocks show a ``# example:`` line (meant for the
    test harness only; docs/_ext/teachmp_docs.py strips them)."""
    problems = []
    for lang in LANGUAGES:
        for path in sorted(glob.glob(os.path.join(html_root, lang, '**', '*.html'),
                                     recursive=True)):
            if f'{os.sep}_modules{os.sep}' in path:
                continue  # the library's own source pages
            with open(path, encoding='utf-8', errors='replace') as f:
                count = len(_HARNESS_IN_HTML.findall(f.read()))
            if count:
                page = os.path.relpath(path, html_root).replace(os.sep, '/')
                problems.append(f"{page}: {count} '# example:' harness line(s) in code blocks")
    return problems


def library_modules(package_dir: str, package: str = 'teachmp') -> list[str]:
    """The dotted names of the package's modules (not ``__main__``), sorted."""
    found = []
    for dirpath, dirnames, files in os.walk(package_dir):
        dirnames[:] = sorted(d for d in dirnames
                             if os.path.isfile(os.path.join(dirpath, d, '__init__.py')))
        rel = os.path.relpath(dirpath, package_dir)
        prefix = package if rel == '.' else f"{package}.{rel.replace(os.sep, '.')}"
        for name in files:
            if name.endswith('.py') and name != '__main__.py':
                found.append(prefix if name == '__init__.py' else f'{prefix}.{name[:-3]}')
    return sorted(set(found) - {package})


def undocumented_modules(html_root: str, package_dir: str) -> list[str]:
    """Modules of the library that an ``api.html`` has no section for."""
    problems = []
    modules = library_modules(package_dir)
    for lang in LANGUAGES:
        path = os.path.join(html_root, lang, 'api.html')
        if not os.path.isfile(path):
            continue
        with open(path, encoding='utf-8') as f:
            page = f.read()
        problems += [f'{lang}/api.html: no section for {module}' for module in modules
                     if f'id="module-{module}"' not in page]
    return problems


# ---------------------------------------------------------------- the server

class _Handler(http.server.SimpleHTTPRequestHandler):
    failures: list  # set per server: (status, path)

    def log_message(self, format, *args):  # noqa: A002 - the base's signature
        pass

    def log_request(self, code='-', size='-'):
        try:
            status = int(code)
        except (TypeError, ValueError):
            status = 0
        if status >= 400 and self.path not in AUTOMATIC:
            self.failures.append((status, self.path))


def start_server(directory: str):
    """A threading HTTP server for ``directory`` on 127.0.0.1, free port."""
    failures: list = []
    handler = type('Handler', (_Handler,), {'failures': failures})
    handler = functools.partial(handler, directory=directory)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.2},
                              daemon=True)
    thread.start()
    return server, failures


# ---------------------------------------------------------------- the browser

def start_browser(profile: str):
    os.environ.setdefault('SE_OFFLINE', 'true')  # belt and braces: no selenium-manager fetches
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f'--user-data-dir={profile}')
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL', 'performance': 'ALL'})
    options.page_load_strategy = 'normal'
    # Its own process group, so that a watchdog can end chromedriver and
    # the browser it started together.
    service = Service(executable_path=CHROMEDRIVER,
                      log_output=os.path.join(profile, 'chromedriver.log'),
                      popen_kw={'start_new_session': True})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


class Checker:
    def __init__(self, driver, origin: str, server_failures: list, verbose: bool,
                 missing: frozenset = frozenset()):
        self.driver = driver
        self.missing = missing  # pages known to be absent (reported once already)
        self.origin = origin
        self.server_failures = server_failures
        self.verbose = verbose
        self.problems: list[str] = []
        self.copy_buttons = 0  # on all chapter pages together

    def fail(self, page: str, what: str) -> None:
        self.problems.append(f'{page}: {what}')
        say(f'FAIL {page}: {what}')

    def drain(self) -> tuple[list, list]:
        return self.driver.get_log('browser'), self.driver.get_log('performance')

    def settle(self) -> None:
        """Wait until the document is complete and the page's scripts ran."""
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(self.driver, WAIT).until(
            lambda d: d.execute_script('return document.readyState') == 'complete')
        time.sleep(0.2)  # DOMContentLoaded handlers (copy buttons) and late requests

    def check_logs(self, page: str) -> None:
        browser, perf = self.drain()
        for msg in console_errors(browser, self.origin):
            self.fail(page, f'console error: {msg}')
        for url in foreign_requests(perf, self.origin):
            self.fail(page, f'request leaves localhost: {url}')
        while self.server_failures:
            status, path = self.server_failures.pop(0)
            self.fail(page, f'server answered {status} for {path}')

    def load(self, page: str) -> None:
        # No drain here: a late entry of the previous page is reported with
        # this one rather than lost.
        self.driver.get(f'{self.origin}/{page}')
        self.settle()

    def check_page(self, page: str) -> None:
        from selenium.webdriver.common.by import By

        t0 = time.monotonic()
        self.load(page)
        d = self.driver
        if not same_page(d.current_url, self.origin, page):
            self.fail(page, f'ended up at {d.current_url}')
        # Copy buttons: one per highlighted code block, added by sphinx-copybutton's JS.
        if '/tutorials/' in page:
            blocks = len(d.find_elements(By.CSS_SELECTOR, 'div.highlight pre'))
            buttons = len(d.find_elements(By.CSS_SELECTOR, 'button.copybtn'))
            if buttons < blocks:
                self.fail(page, f'{buttons} copy buttons for {blocks} code blocks')
            self.copy_buttons += buttons
        if page.endswith('/api.html'):
            self.check_signatures(page)
        if page.endswith('/benchmarks.html'):
            self.check_tables_fit(page)
        self.check_logs(page)
        # The language switch, clicked as a reader would.
        lang = page.split('/', 1)[0]
        for other in LANGUAGES:
            if other == lang:
                continue
            links = [a for a in d.find_elements(
                By.CSS_SELECTOR, f"nav.teachmp-lang-switch a.teachmp-lang[hreflang='{other}']")
                if a.is_displayed()]
            if not links:
                self.fail(page, f"no visible language switch to '{other}'")
                continue
            want = counterpart(page, other)
            if want in self.missing:
                continue  # already reported: the page is not built
            links[0].click()
            self.settle()
            if not same_page(d.current_url, self.origin, want):
                self.fail(page, f"the '{other}' switch leads to {d.current_url}, not {want}")
            html_lang = d.execute_script('return document.documentElement.lang')
            if html_lang != other:
                self.fail(page, f"the '{other}' switch leads to a page in '{html_lang}'")
            self.check_logs(f'{page} -> {want}')
        if self.verbose:
            say(f'ok {page} ({time.monotonic() - t0:.1f}s)')

    def check_signatures(self, page: str) -> None:
        """Every API signature reads as Python (see signature_problems)."""
        signatures = self.driver.execute_script(SIGNATURES_JS)
        if not signatures:
            self.fail(page, 'no API signature (dt.sig) on the page')
        for problem in signature_problems(signatures):
            self.fail(page, problem)

    def check_tables_fit(self, page: str) -> None:
        """No table is wider than the column it is in (no horizontal scroll)."""
        widths = self.driver.execute_script("""
            return Array.from(document.querySelectorAll('article table')).map(function (t) {
              var box = t.parentElement;
              return [t.scrollWidth, box.clientWidth];
            });""")
        for i, (table, box) in enumerate(widths, 1):
            if table > box + 1:
                self.fail(page, f'table {i} is {table}px wide in a {box}px column '
                                '(readers must scroll sideways)')

    def check_switch_keeps_place(self, page: str, place: str) -> None:
        """The language switch keeps the query and the anchor of ``page + place``."""
        from selenium.webdriver.common.by import By

        lang = page.split('/', 1)[0]
        other = next(code for code in LANGUAGES if code != lang)
        self.load(page + place)
        links = [a for a in self.driver.find_elements(
            By.CSS_SELECTOR, f"nav.teachmp-lang-switch a.teachmp-lang[hreflang='{other}']")
            if a.is_displayed()]
        if not links:
            self.fail(page, f"no visible language switch to '{other}'")
            return
        links[0].click()
        self.settle()
        got = urlsplit(self.driver.current_url)
        want = urlsplit(place)
        if (unquote(got.query), unquote(got.fragment)) != (unquote(want.query),
                                                          unquote(want.fragment)):
            self.fail(page, f"the '{other}' switch from {page}{place} leads to "
                            f"{self.driver.current_url}: the place is lost")
        self.check_logs(f'{page}{place} -> {other}')

    def check_search(self, lang: str, term: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        page = f'{lang}/search.html?q={quote(term)}'
        self.load(page)
        selector = '#search-results ul.search li a'
        try:
            WebDriverWait(self.driver, WAIT).until(
                lambda d: any('/tutorials/' in (a.get_attribute('href') or '')
                              for a in d.find_elements(By.CSS_SELECTOR, selector)))
        except Exception:  # TimeoutException, or the page changed under us
            found = [a.get_attribute('href') for a in
                     self.driver.find_elements(By.CSS_SELECTOR, selector)]
            self.fail(page, f'search for {term!r} listed no chapter (results: {found})')
        else:
            hits = {a.get_attribute('href') for a in
                    self.driver.find_elements(By.CSS_SELECTOR, selector)}
            if self.verbose:
                say(f'ok {page}: {len(hits)} results')
        self.check_logs(page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--html', default=HTML, help='the built site (default: %(default)s)')
    parser.add_argument('--timeout', type=float, default=240.0,
                        help='give up after this many seconds (default: %(default)s)')
    parser.add_argument('-v', '--verbose', action='store_true')
    args = parser.parse_args(argv)

    pages_by_lang = {lang: find_pages(args.html, lang) for lang in LANGUAGES}
    if not all(pages_by_lang.values()):
        say(f'no built site in {args.html} for every language: run `make docs`')
        return 2
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            say(f'{tool} is missing: apt-get install chromium chromium-driver')
            return 2
    try:
        import selenium  # noqa: F401
    except ImportError:
        say("selenium is missing: pip install -e '.[docs]'")
        return 2

    started = time.monotonic()
    problems: list[str] = []
    missing = missing_counterparts(pages_by_lang)
    for page in missing:
        problems.append(f'{page}: missing (the other language has this page)')
        say(f'FAIL {page}: missing (the other language has this page)')

    for problem in (dead_links(args.html) + harness_lines(args.html)
                    + undocumented_modules(args.html, os.path.join(ROOT, 'teachmp'))):
        problems.append(problem)
        say(f'FAIL {problem}')

    server, failures = start_server(args.html)
    origin = f'http://127.0.0.1:{server.server_address[1]}'
    profile = tempfile.mkdtemp(prefix='teachmp-docs-check-')
    driver = None
    group: list[int] = []  # chromedriver's process group, for the watchdog
    # Nothing may hang: a watchdog ends the browser and the run.
    deadline = threading.Timer(args.timeout, _timed_out, (args.timeout, group, profile))
    deadline.daemon = True
    deadline.start()
    try:
        driver = start_browser(profile)
        group.append(driver.service.process.pid)
        driver.get('about:blank')  # away from the first tab's new-tab page
        time.sleep(0.3)
        driver.get_log('browser'), driver.get_log('performance')  # and forget it
        checker = Checker(driver, origin, failures, args.verbose, frozenset(missing))
        pages = [p for lang in LANGUAGES for p in pages_by_lang[lang]]
        say(f"{len(pages)} pages on {origin} in {driver.capabilities.get('browserVersion')}")
        for page in pages:
            checker.check_page(page)
        if not checker.copy_buttons:
            checker.fail('tutorials/*', 'no code block with a copy button on any chapter page')
        checker.check_search('ja', SEARCH_TERM)
        for page, place in SWITCH_PLACES:
            if page in pages:
                checker.check_switch_keeps_place(page, place)
        problems += checker.problems
    finally:
        if driver is not None:
            driver.quit()
        server.shutdown()
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)
        deadline.cancel()

    elapsed = time.monotonic() - started
    if problems:
        say(f'{len(problems)} problem(s) in {elapsed:.1f}s')
        return 1
    say(f'all checks passed in {elapsed:.1f}s')
    return 0


def _timed_out(seconds: float, group: list[int], profile: str) -> None:
    say(f'timed out after {seconds:.0f}s')
    for pgid in group:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(profile, ignore_errors=True)
    os._exit(1)


if __name__ == '__main__':
    sys.exit(main())
