"""The pure helpers of tools/docs_check.py (no browser, no server)."""

import importlib.util
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "docs_check", os.path.join(ROOT, "tools", "docs_check.py"))
docs_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs_check)

ORIGIN = "http://127.0.0.1:8123"


@pytest.mark.parametrize("url", [
    ORIGIN + "/en/index.html",
    ORIGIN + "/ja/search.html?q=%E3%83%97",
    ORIGIN + "/en/_static/x.css#frag",
    ORIGIN,
    "data:image/svg+xml;base64,AAAA",
    "blob:" + ORIGIN + "/1234-abcd",
    "about:blank",
])
def test_local_urls(url):
    assert docs_check.is_local_url(url, ORIGIN)


@pytest.mark.parametrize("url", [
    "https://fonts.googleapis.com/css?family=Lato",
    "http://127.0.0.1:9999/en/index.html",      # another port
    "http://localhost:8123/en/index.html",      # another host name
    "https://127.0.0.1:8123/en/index.html",     # another scheme
    "http://127.0.0.1:8123.evil.example/x",
    "blob:https://example.com/1234",
    "ws://127.0.0.1:8123/socket",
    "chrome://resources/x.js",
])
def test_foreign_urls(url):
    assert not docs_check.is_local_url(url, ORIGIN)


def _perf(method, params):
    return {"message": json.dumps({"message": {"method": method, "params": params}})}


def test_foreign_requests_from_the_performance_log():
    entries = [
        _perf("Network.requestWillBeSent",
              {"documentURL": ORIGIN + "/en/index.html",
               "request": {"url": ORIGIN + "/en/_static/a.js"}}),
        _perf("Network.requestWillBeSent",
              {"documentURL": ORIGIN + "/en/index.html",
               "request": {"url": "https://cdn.example.com/lib.js"}}),
        _perf("Network.requestWillBeSent",   # the same again: listed once
              {"documentURL": ORIGIN + "/en/index.html",
               "request": {"url": "https://cdn.example.com/lib.js"}}),
        _perf("Network.webSocketCreated", {"url": "wss://push.example.com/"}),
        _perf("Network.responseReceived", {"response": {"url": "https://ignored.example"}}),
        # The browser's own new-tab page, not the site.
        _perf("Network.requestWillBeSent",
              {"documentURL": "chrome://new-tab-page/",
               "request": {"url": "chrome://resources/x.js"}}),
        {"message": "not json"},
        {},
    ]
    assert docs_check.foreign_requests(entries, ORIGIN) == [
        "https://cdn.example.com/lib.js", "wss://push.example.com/"]


def test_console_errors_keep_severe_but_not_the_automatic_favicon():
    entries = [
        {"level": "INFO", "message": "hello"},
        {"level": "WARNING", "message": "deprecated"},
        {"level": "SEVERE", "message": "Uncaught TypeError: x is undefined"},
        {"level": "SEVERE", "message": ORIGIN + "/favicon.ico - Failed to load resource: 404"},
        {"level": "SEVERE",
         "message": ORIGIN + "/en/_static/gone.js - Failed to load resource: 404"},
    ]
    assert docs_check.console_errors(entries, ORIGIN) == [
        "Uncaught TypeError: x is undefined",
        ORIGIN + "/en/_static/gone.js - Failed to load resource: 404",
    ]


def test_counterparts_and_missing_pages():
    assert docs_check.counterpart("en/tutorials/03-pipes/index.html", "ja") == \
        "ja/tutorials/03-pipes/index.html"
    pages = {
        "en": ["en/index.html", "en/tutorials/01-processes/index.html",
               "en/tutorials/02-start-methods/index.html"],
        "ja": ["ja/index.html", "ja/tutorials/01-processes/index.html",
               "ja/tutorials/09-only-ja/index.html"],
    }
    assert docs_check.missing_counterparts(pages) == [
        "en/tutorials/09-only-ja/index.html", "ja/tutorials/02-start-methods/index.html"]


def test_same_page():
    page = "ja/tutorials/01-processes/index.html"
    assert docs_check.same_page(ORIGIN + "/ja/tutorials/01-processes/index.html", ORIGIN, page)
    assert docs_check.same_page(ORIGIN + "/ja/tutorials/01-processes/", ORIGIN, page)
    assert docs_check.same_page(ORIGIN + "/ja/tutorials/01-processes/index.html#x", ORIGIN, page)
    assert docs_check.same_page(ORIGIN + "/en/../ja/tutorials/01-processes/index.html",
                                ORIGIN, page)
    assert not docs_check.same_page(ORIGIN + "/en/tutorials/01-processes/index.html",
                                    ORIGIN, page)
    assert not docs_check.same_page("http://127.0.0.1:1/" + page, ORIGIN, page)
    assert not docs_check.same_page("about:blank", ORIGIN, page)


def test_find_pages(tmp_path):
    for rel in ("en/index.html", "en/tutorials/02-b/index.html",
                "en/tutorials/01-a/index.html", "en/tutorials/README/other.html",
                "en/api.html"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<html></html>")
    assert docs_check.find_pages(str(tmp_path), "en") == [
        "en/index.html", "en/tutorials/01-a/index.html", "en/tutorials/02-b/index.html"]
    assert docs_check.find_pages(str(tmp_path), "ja") == []
