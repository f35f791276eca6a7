"""The leak check itself (tests/leakcheck.py): it catches each kind of leak,
cleans leaked children up, and stays quiet for a clean test.

The checked tests run in a separate pytest process, in a temporary folder
whose conftest.py installs the same fixture as tests/conftest.py: once
serially and once in an xdist worker (``make test`` runs the suite in
parallel workers), where the worker's own threads and pipes (execnet's)
exist before every test and must not be blamed on it.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

CONFTEST = f"""
import sys
sys.path.insert(0, {str(HERE)!r})
import pytest
from leakcheck import leak_check, store_report

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    store_report(item, report)
    return report
"""

CASES = """
import os, threading, time
import multiprocessing as mp
import pytest
import helpers

def test_clean():
    a, b = mp.Pipe()
    p = mp.Process(target=helpers.send_pid, args=(b,))
    p.start()
    b.close()
    assert a.recv() == p.pid
    p.join()
    a.close()

def test_live_child():
    p = mp.Process(target=helpers.sleep_forever)
    p.start()

def test_after_live_child():
    # the previous test's child was killed and reaped: nothing is blamed here
    assert mp.active_children() == []

def test_zombie():
    p = mp.Process(target=helpers.noop)
    p.start()
    p.sentinel  # never joined: the child stays a zombie
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(f"/proc/{p.pid}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                break
        time.sleep(0.01)

KEEP = []

def test_fd():
    KEEP.append(os.pipe())

def test_thread():
    ev = threading.Event()
    t = threading.Thread(target=ev.wait, args=(4,), daemon=True)
    t.start()
    KEEP.append(t)

def test_short_thread_is_fine():
    t = threading.Thread(target=time.sleep, args=(0.3,))
    t.start()

@pytest.mark.allow_leaks("testing the opt-out")
def test_opt_out():
    KEEP.append(os.pipe())

def test_failed_test_is_not_blamed_twice():
    p = mp.Process(target=helpers.sleep_forever)
    p.start()
    assert False, "the test's own failure"
"""


def run_cases(tmp_path, extra=()):
    (tmp_path / 'conftest.py').write_text(CONFTEST)
    (tmp_path / 'test_cases.py').write_text(textwrap.dedent(CASES))
    (tmp_path / 'pytest.ini').write_text(
        '[pytest]\nmarkers =\n    allow_leaks(reason): opt out\n'
    )
    out = subprocess.run(
        [sys.executable, '-m', 'pytest', '-rA', '-p', 'no:cacheprovider',
         '-p', 'no:randomly', *extra, 'test_cases.py'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.stdout + out.stderr


def outcome(text, name):
    """The short-summary outcomes (PASSED, FAILED, ERROR) reported for *name*."""
    found = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] == f'test_cases.py::{name}':
            found.add(parts[0])
    return found


# loadfile: the cases run in file order on one worker (test_after_live_child
# checks the clean-up after test_live_child)
@pytest.mark.parametrize('extra', [(), ('-n', '1', '--dist', 'loadfile')],
                         ids=['serial', 'xdist-worker'])
def test_leak_check_catches_each_kind(tmp_path, extra):
    text = run_cases(tmp_path, extra)
    assert outcome(text, 'test_clean') == {'PASSED'}, text
    assert outcome(text, 'test_live_child') == {'PASSED', 'ERROR'}, text
    assert 'child process pid' in text
    assert outcome(text, 'test_after_live_child') == {'PASSED'}, text
    assert outcome(text, 'test_zombie') == {'PASSED', 'ERROR'}, text
    assert 'zombie (exited, never waited for)' in text
    assert outcome(text, 'test_fd') == {'PASSED', 'ERROR'}, text
    assert 'file descriptor' in text and 'pipe:[' in text
    assert outcome(text, 'test_thread') == {'PASSED', 'ERROR'}, text
    assert outcome(text, 'test_short_thread_is_fine') == {'PASSED'}, text
    assert outcome(text, 'test_opt_out') == {'PASSED'}, text
    assert outcome(text, 'test_failed_test_is_not_blamed_twice') == {'FAILED'}, text
