"""The pure helpers of tools/docs_check.py (no browser, no server)."""

import importlib.util
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    'docs_check', os.path.join(ROOT, 'tools', 'docs_check.py'))
docs_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs_check)

ORIGIN = 'http://127.0.0.1:8123'


@pytest.mark.parametrize('url', [
    ORIGIN + '/en/index.html',
    ORIGIN + '/ja/search.html?q=%E3%83%97',
    ORIGIN + '/en/_static/x.css#frag',
    ORIGIN,
    'data:image/svg+xml;base64,AAAA',
    'blob:' + ORIGIN + '/1234-abcd',
    'about:blank',
])
def test_local_urls(url):
    assert docs_check.is_local_url(url, ORIGIN)


@pytest.mark.parametrize('url', [
    'https://fonts.googleapis.com/css?family=Lato',
    'http://127.0.0.1:9999/en/index.html',      # another port
    'http://localhost:8123/en/index.html',      # another host name
    'https://127.0.0.1:8123/en/index.html',     # another scheme
    'http://127.0.0.1:8123.evil.example/x',
    'blob:https://example.com/1234',
    'ws://127.0.0.1:8123/socket',
    'chrome://resources/x.js',
])
def test_foreign_urls(url):
    assert not docs_check.is_local_url(url, ORIGIN)


def _perf(method, params):
    return {'message': json.dumps({'message': {'method': method, 'params': params}})}


def test_foreign_requests_from_the_performance_log():
    entries = [
        _perf('Network.requestWillBeSent',
              {'documentURL': ORIGIN + '/en/index.html',
               'request': {'url': ORIGIN + '/en/_static/a.js'}}),
        _perf('Network.requestWillBeSent',
              {'documentURL': ORIGIN + '/en/index.html',
               'request': {'url': 'https://cdn.example.com/lib.js'}}),
        _perf('Network.requestWillBeSent',   # the same again: listed once
              {'documentURL': ORIGIN + '/en/index.html',
               'request': {'url': 'https://cdn.example.com/lib.js'}}),
        _perf('Network.webSocketCreated', {'url': 'wss://push.example.com/'}),
        _perf('Network.responseReceived', {'response': {'url': 'https://ignored.example'}}),
        # The browser's own new-tab page, not the site.
        _perf('Network.requestWillBeSent',
              {'documentURL': 'chrome://new-tab-page/',
               'request': {'url': 'chrome://resources/x.js'}}),
        {'message': 'not json'},
        {},
    ]
    assert docs_check.foreign_requests(entries, ORIGIN) == [
        'https://cdn.example.com/lib.js', 'wss://push.example.com/']


def test_console_errors_keep_severe_but_not_the_automatic_favicon():
    entries = [
        {'level': 'INFO', 'message': 'hello'},
        {'level': 'WARNING', 'message': 'deprecated'},
        {'level': 'SEVERE', 'message': 'Uncaught TypeError: x is undefined'},
        {'level': 'SEVERE', 'message': ORIGIN + '/favicon.ico - Failed to load resource: 404'},
        {'level': 'SEVERE',
         'message': ORIGIN + '/en/_static/gone.js - Failed to load resource: 404'},
    ]
    assert docs_check.console_errors(entries, ORIGIN) == [
        'Uncaught TypeError: x is undefined',
        ORIGIN + '/en/_static/gone.js - Failed to load resource: 404',
    ]


def test_counterparts_and_missing_pages():
    assert docs_check.counterpart('en/tutorials/03-pipes/index.html', 'ja') == \
        'ja/tutorials/03-pipes/index.html'
    pages = {
        'en': ['en/index.html', 'en/tutorials/01-processes/index.html',
               'en/tutorials/02-start-methods/index.html'],
        'ja': ['ja/index.html', 'ja/tutorials/01-processes/index.html',
               'ja/tutorials/09-only-ja/index.html'],
    }
    assert docs_check.missing_counterparts(pages) == [
        'en/tutorials/09-only-ja/index.html', 'ja/tutorials/02-start-methods/index.html']


def test_same_page():
    page = 'ja/tutorials/01-processes/index.html'
    assert docs_check.same_page(ORIGIN + '/ja/tutorials/01-processes/index.html', ORIGIN, page)
    assert docs_check.same_page(ORIGIN + '/ja/tutorials/01-processes/', ORIGIN, page)
    assert docs_check.same_page(ORIGIN + '/ja/tutorials/01-processes/index.html#x', ORIGIN, page)
    assert docs_check.same_page(ORIGIN + '/en/../ja/tutorials/01-processes/index.html',
                                ORIGIN, page)
    assert not docs_check.same_page(ORIGIN + '/en/tutorials/01-processes/index.html',
                                    ORIGIN, page)
    assert not docs_check.same_page('http://127.0.0.1:1/' + page, ORIGIN, page)
    assert not docs_check.same_page('about:blank', ORIGIN, page)


def test_find_pages(tmp_path):
    for rel in ('en/index.html', 'en/tutorials/02-b/index.html',
                'en/tutorials/01-a/index.html', 'en/tutorials/README/other.html',
                'en/api.html'):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('<html></html>')
    assert docs_check.find_pages(str(tmp_path), 'en') == [
        'en/index.html', 'en/api.html',
        'en/tutorials/01-a/index.html', 'en/tutorials/02-b/index.html']
    assert docs_check.find_pages(str(tmp_path), 'ja') == []


# -- API signatures --------------------------------------------------------------

GOOD_SIGNATURE = {'id': 'teachmp.process.BaseProcess', 'keywords': ['class '],
                  'names': ['BaseProcess'],
                  'params': ['group=None', 'target=None', '*', 'daemon=None',
                             '*args', '**kwargs', 'timeout: float = 1.0', '/']}


def test_a_good_signature_passes():
    assert docs_check.signature_problems([GOOD_SIGNATURE]) == []


def test_the_garbled_signatures_of_issue_16_fail():
    # What the page showed when Sphinx moved the desc_sig_* nodes:
    # "classteachmp.process.BaseProcess(=groupNone, =targetNone, ...)".
    garbled = dict(GOOD_SIGNATURE, keywords=[' class'],
                   params=['=groupNone', '=targetNone', '*'])
    problems = docs_check.signature_problems([garbled])
    assert len(problems) == 1
    assert 'teachmp.process.BaseProcess' in problems[0]
    assert "'=groupNone'" in problems[0] and "'=targetNone'" in problems[0]
    assert "keyword ' class' runs into the name" in problems[0]
    # A default autodoc could not read, split at its commas.
    split = dict(GOOD_SIGNATURE, params=["_cache={('DictProxy'", "'get')): <class 'X'>}"])
    assert docs_check.signature_problems([split])
    assert docs_check.signature_problems([dict(GOOD_SIGNATURE, names=[''])])


# -- dead internal links -----------------------------------------------------------

def _site(tmp_path, pages):
    for rel, body in pages.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'<html><body>{body}</body></html>', encoding='utf-8')


def test_dead_internal_links_are_found(tmp_path):
    _site(tmp_path, {
        'en/index.html': '<a href="api.html#x">ok</a> <a href="tutorials/">ok</a>'
                         ' <a href="#top">ok</a> <a href="https://python.org/">ok</a>'
                         ' <a href="../ja/index.html?q=1">ok</a>'
                         ' <a href="mailto:x@example.com">ok</a>',
        'en/api.html': '',
        'en/tutorials/index.html': '',
        'ja/index.html': '',
        # The viewcode index of issue 16: modules written in C have no page.
        'en/_modules/index.html': '<a href="teachmp/process.html">ok</a>'
                                  ' <a href="_pickle.html">dead</a>',
        'en/_modules/teachmp/process.html': '<a href="../../api.html#teachmp.process">ok</a>'
                                            ' <a href="../../../../outside.html">out</a>',
    })
    assert docs_check.dead_links(str(tmp_path)) == [
        "en/_modules/index.html: dead link '_pickle.html'",
        "en/_modules/teachmp/process.html: link '../../../../outside.html' leaves the site",
    ]


def test_no_dead_link_on_a_site_without_any(tmp_path):
    _site(tmp_path, {'en/index.html': '<a href="index.html">me</a>'})
    assert docs_check.dead_links(str(tmp_path)) == []


# -- the check in the browser, on a planted site ----------------------------------

SIG_HTML = (
    '<dl class="py class"><dt class="sig sig-object py" id="teachmp.process.BaseProcess">'
    '<span class="property">{kw}</span><span class="sig-name descname">BaseProcess</span>'
    '(<em class="sig-param">{p1}</em>, <em class="sig-param">{p2}</em>)</dt></dl>')
SWITCH = ('<nav class="teachmp-lang-switch"><a class="teachmp-lang" hreflang="{o}" '
          'href="../{o}/{page}">{o}</a></nav>')


@pytest.mark.skipif(not (os.access(docs_check.CHROMIUM, os.X_OK)
                         and os.access(docs_check.CHROMEDRIVER, os.X_OK)),
                    reason='needs chromium and chromedriver')
@pytest.mark.timeout(150)
def test_the_browser_check_fails_on_a_planted_broken_signature(tmp_path, capsys):
    pytest.importorskip('selenium')
    good = SIG_HTML.format(kw='class ', p1='group=None', p2='target=None')
    broken = SIG_HTML.format(kw=' class', p1='=groupNone', p2='=targetNone')
    for lang, other, api in (('en', 'ja', broken), ('ja', 'en', good)):
        for page, body in (('index.html', ''), ('api.html', api)):
            path = tmp_path / lang / page
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f'<html lang="{lang}"><body>{SWITCH.format(o=other, page=page)}'
                            f'{body}</body></html>', encoding='utf-8')
    wide = ('<article><div style="overflow-x: auto; width: 300px"><table><tr>'
            '<td style="white-space: nowrap">' + 'a verdict column far to the right ' * 5
            + '</td></tr></table></div></article>')
    for lang, other, body in (('en', 'ja', wide), ('ja', 'en', '<article></article>')):
        (tmp_path / lang / 'benchmarks.html').write_text(
            f'<html lang="{lang}"><body>{SWITCH.format(o=other, page="benchmarks.html")}'
            f'{body}</body></html>', encoding='utf-8')
    (tmp_path / 'ja' / 'index.html').write_text(
        '<html lang="ja"><body>' + SWITCH.format(o='en', page='index.html')
        + '<a href="gone.html">dead</a></body></html>', encoding='utf-8')
    assert docs_check.main(['--html', str(tmp_path), '--timeout', '120']) == 1
    out = capsys.readouterr().out
    assert 'FAIL en/api.html: broken signature teachmp.process.BaseProcess' in out
    assert "'=groupNone'" in out
    assert 'ja/api.html: broken' not in out          # the good one passes
    assert "FAIL ja/index.html: dead link 'gone.html'" in out
    assert 'FAIL en/benchmarks.html: table 1 is' in out       # sideways scroll
    assert 'ja/benchmarks.html: table' not in out
    # No teachmp-lang.js on the planted pages: the switch loses the anchor.
    assert 'the place is lost' in out


def test_a_module_missing_from_the_api_page_is_reported(tmp_path):
    package = tmp_path / 'pkg' / 'teachmp'
    (package / 'dummy').mkdir(parents=True)
    for name in ('__init__.py', '__main__.py', 'queues.py', 'dummy/__init__.py'):
        (package / name).write_text('')
    assert docs_check.library_modules(str(package)) == ['teachmp.dummy', 'teachmp.queues']
    _site(tmp_path / 'site', {
        'en/api.html': '<section id="module-teachmp.queues"></section>'
                       '<section id="module-teachmp.dummy"></section>',
        'ja/api.html': '<section id="module-teachmp.queues"></section>',
    })
    assert docs_check.undocumented_modules(str(tmp_path / 'site'), str(package)) == [
        'ja/api.html: no section for teachmp.dummy']


def test_harness_lines_in_a_code_block_are_reported(tmp_path):
    _site(tmp_path, {
        'en/tutorials/05/index.html':
            '<pre><span class="c1"># example: skip &quot;prints timings&quot;</span>\n'
            '<span class="kn">import</span> os</pre>',
        'ja/tutorials/05/index.html': '<pre><span class="kn">import</span> os</pre>'
                                      '<p>the harness reads # example: lines</p>',
    })
    assert docs_check.harness_lines(str(tmp_path)) == [
        "en/tutorials/05/index.html: 1 '# example:' harness line(s) in code blocks"]
