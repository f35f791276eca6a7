"""Parent-side helpers shared by the test files.

``tests/helpers.py`` (and the ``*_targets.py`` modules) hold the functions
that run *in* a child process; this module holds what the test itself
calls in the parent: start a child, wait for a message, make sure the
child ended well, and make reprs comparable between teachmp and the
stdlib.  It imports nothing heavy (no pytest at import time), so a child
module may import ``TIMEOUT`` from it too.

Every wait has a bound (``TIMEOUT``): a broken implementation makes a test
fail with a message, never hang the suite.
"""

from __future__ import annotations

import re
import subprocess

TIMEOUT = 20  # seconds: a bound against a hang, never a timed assertion


def recv(conn, timeout=TIMEOUT):
    """The next object on *conn*; fail the test if none arrives in *timeout*."""
    assert conn.poll(timeout), f'nothing arrived on {conn!r} within {timeout} s'
    return conn.recv()


def start(mp, target, *args):
    """A started ``mp.Process(target=target, args=args)``."""
    p = mp.Process(target=target, args=args)
    p.start()
    return p


def finish(*procs, close=()):
    """Join every process, check that all exited with 0, close *close*."""
    for p in procs:
        p.join(TIMEOUT)
    assert [p.exitcode for p in procs] == [0] * len(procs)
    for conn in close:
        conn.close()


def finish_program(proc, timeout=TIMEOUT):
    """Wait for a ``subprocess.Popen`` (stdout, stderr piped); check exit 0.

    A program still running after *timeout* is killed and the test fails
    with what it printed.  Returns its stdout.
    """
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        import pytest

        proc.kill()
        out, err = proc.communicate(timeout=timeout)
        pytest.fail(f'peer program hung:\n{out}\n{err}')
    assert proc.returncode == 0, err
    return out


_ADDRESS = re.compile(r'0x[0-9a-fA-F]+')
_PID = re.compile(r'\b(pid|parent)([ =:]*)\d+')


def normalise(text, modules=None, pids=False):
    """*text* without what differs between runs and implementations.

    Every address becomes ``0xADDR``; with *pids*, the number after ``pid``
    or ``parent`` becomes ``N``; *modules* (a regular expression matching the
    defining module's dotted prefix, both spellings) becomes ``MOD.``.
    """
    text = _ADDRESS.sub('0xADDR', text)
    if pids:
        text = _PID.sub(lambda m: f'{m.group(1)}{m.group(2)}N', text)
    if modules is not None:
        text = re.sub(modules, 'MOD.', text)
    return text
