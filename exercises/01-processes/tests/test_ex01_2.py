"""Tests of exercise 01.2: exitcode_from_status(), start(), poll()."""
import io
import multiprocessing as mp
import os
import signal
import sys

import pytest

import helpers01

pytestmark = [pytest.mark.ex01_2, pytest.mark.timeout(30)]

# (action, argument) pairs and how a stdlib Process ends for each.
CASES = [
    ('ok', None),
    ('exit', 3),
    ('exit', None),
    ('exit', 'a message, not a number'),
    ('exit', 300),                       # only the low 8 bits survive
    ('raise', 'boom'),
    ('signal', signal.SIGTERM),
    ('signal', signal.SIGKILL),
]


def stdlib_exitcode(args):
    p = mp.get_context('fork').Process(target=helpers01.act, args=args)
    p.start()
    p.join()
    return p.exitcode


def raw_status(args):
    """Fork a child that ends like helpers01.act(*args) would, return its status."""
    pid = os.fork()
    if pid == 0:
        what, arg = args
        if what == 'signal':
            os.kill(os.getpid(), arg)
        os._exit(arg if what == 'exit' else 0)
    return os.waitpid(pid, 0)[1]


@pytest.mark.parametrize('status, code', [
    (0, 0), (3 << 8, 3), (255 << 8, 255),
    (signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, -signal.SIGTERM),
    (0x80 | signal.SIGABRT, -signal.SIGABRT),     # killed, and dumped core
])
def test_exitcode_from_status_values(ex, status, code):
    assert ex.exitcode_from_status(status) == code
    assert os.waitstatus_to_exitcode(status) == code     # the stdlib agrees


@pytest.mark.parametrize('args', [('exit', 0), ('exit', 7), ('signal', signal.SIGTERM),
                                  ('signal', signal.SIGKILL)])
def test_exitcode_from_real_status_matches_stdlib(ex, args):
    assert ex.exitcode_from_status(raw_status(args)) == stdlib_exitcode(args)


@pytest.mark.parametrize('args', CASES, ids=[f'{w}-{a}' for w, a in CASES])
def test_start_and_poll_match_stdlib_process(ex, args):
    pid = ex.start(helpers01.act, args)
    assert isinstance(pid, int) and pid != os.getpid()
    assert ex.poll(pid) == stdlib_exitcode(args)


def test_exit_message_and_traceback_go_to_stderr(ex, capfd):
    assert ex.poll(ex.start(helpers01.act, ('exit', 'bye now'))) == 1
    assert ex.poll(ex.start(helpers01.act, ('raise', 'boom'))) == 1
    err = capfd.readouterr().err
    assert 'bye now' in err
    assert 'ValueError: boom' in err


def test_poll_without_blocking(ex):
    r, w = os.pipe()
    try:
        pid = ex.start(helpers01.read_byte, (r,))
        assert ex.poll(pid, block=False) is None      # still waiting for a byte
        os.write(w, b'x')
        assert ex.poll(pid) == 0
    finally:
        os.close(r)
        os.close(w)


def test_child_does_not_repeat_buffered_output(ex, capfd):
    # A stdout that really buffers (under pytest, sys.stdout writes through).
    buffered = io.TextIOWrapper(io.BufferedWriter(io.FileIO(os.dup(1), 'w')))
    saved, sys.stdout = sys.stdout, buffered
    try:
        print('parent says hi', end='')               # still in the buffer
        code = ex.poll(ex.start(helpers01.act, ('print', 'child says hi')))
    finally:
        sys.stdout = saved
        buffered.close()
    out = capfd.readouterr().out
    assert code == 0
    assert out.count('parent says hi') == 1
    assert out.count('child says hi') == 1
