"""The forkserver start method: the server process itself.

Everything a child can observe is checked by the ordinary behaviour tests,
which run forkserver on both implementations (``START_METHODS`` in
``impls.py``).  Here: what is special about the server -- preloading, the
authenticated socket, its life (killed and replaced; gone with its parent).
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import time

import pytest

import targets
from impls import load_impl
from support import TIMEOUT


def server_module(mpmod):
    return importlib.import_module(mpmod.__name__ + '.forkserver')


def server_pid(mpmod):
    server = server_module(mpmod)._forkserver
    return getattr(server, '_forkserver_pid', None) or getattr(server, '_pid', None)


def run_child(ctx, target, *args):
    a, b = ctx.Pipe()
    p = ctx.Process(target=target, args=(b, *args))
    p.start()
    b.close()
    assert a.poll(TIMEOUT), 'nothing arrived from the child'
    value = a.recv()
    p.join(TIMEOUT)
    a.close()
    assert p.exitcode == 0
    return value, p.pid


def has_module(conn, name):
    import sys

    conn.send(name in sys.modules)
    conn.close()


def state_of(pid):
    """'Z', 'S', 'R'... from /proc, or None once the process is gone."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except OSError:
        return None


def wait_until_dead(pid, limit=TIMEOUT):
    deadline = time.monotonic() + limit
    while state_of(pid) not in (None, 'Z'):
        assert time.monotonic() < deadline, f'process {pid} is still running'
        time.sleep(0.01)


def children_of(pid):
    found = set()
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open(f'/proc/{entry}/stat') as f:
                    if int(f.read().rsplit(')', 1)[1].split()[1]) == pid:
                        found.add(int(entry))
            except OSError:
                pass
    return found


@pytest.fixture
def fresh_server(mpmod):
    """No server before the test, none after it, default preload list."""
    module = server_module(mpmod)
    module._forkserver._stop()
    yield mpmod.get_context('forkserver')
    module._forkserver._stop()
    mpmod.set_forkserver_preload(['__main__'])


def test_preloaded_module_is_there_before_the_child_imports_it(mpmod, fresh_server):
    """A stdlib module nobody else imports (the stdlib's server ignored the
    parent's sys.path before 3.12.8/3.13.1, gh-117378: a module from tests/
    would not preload there)."""
    ctx = fresh_server
    assert run_child(ctx, has_module, 'colorsys')[0] is False
    server_module(mpmod)._forkserver._stop()
    ctx.set_forkserver_preload(['colorsys', 'no_such_module_anywhere'])
    # a module that cannot be imported is skipped, not fatal
    assert run_child(ctx, has_module, 'colorsys')[0] is True


def test_children_are_forked_by_one_server(mpmod, fresh_server):
    ctx = fresh_server
    first, pid1 = run_child(ctx, targets.report_self, mpmod.__name__)
    server = server_pid(mpmod)
    assert server is not None and server != os.getpid()
    _, pid2 = run_child(ctx, targets.report_self, mpmod.__name__)
    assert server_pid(mpmod) == server
    assert pid1 != pid2


def report_ppid(conn):
    conn.send(os.getppid())
    conn.close()


def test_the_server_is_the_childs_os_parent(mpmod, fresh_server):
    ppid, _ = run_child(fresh_server, report_ppid)
    assert ppid == server_pid(mpmod) != os.getpid()


def test_killed_server_is_replaced_on_next_start(mpmod, fresh_server):
    ctx = fresh_server
    run_child(ctx, report_ppid)
    old = server_pid(mpmod)
    os.kill(old, signal.SIGKILL)
    wait_until_dead(old)
    ppid, _ = run_child(ctx, report_ppid)
    assert ppid == server_pid(mpmod) != old
    assert state_of(old) is None        # the dead server was reaped, too


SERVER_THEN_EXIT = """
import importlib, os, signal, sys
mp = importlib.import_module(os.environ['TEST_MP_IMPL'])
fs = importlib.import_module(mp.__name__ + '.forkserver')
import targets
if __name__ == '__main__':
    ctx = mp.get_context('forkserver')
    p = ctx.Process(target=targets.noop)
    p.start(); p.join(30)
    server = fs._forkserver
    print(getattr(server, '_forkserver_pid', None) or server._pid, flush=True)
    if sys.argv[1] == 'killed':
        os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize('how', ['exits', 'killed'])
@pytest.mark.parametrize('impl_name', ['stdlib', 'teachmp'])
def test_server_ends_with_its_parent(impl_name, how):
    result = targets.run_python(['-c', SERVER_THEN_EXIT, how], impl_name=impl_name)
    assert result.returncode == (0 if how == 'exits' else -signal.SIGKILL), result.stderr
    wait_until_dead(int(result.stdout.split()[0]))


# -- the socket is authenticated (teachmp; the stdlib does it from 3.14) ----


@pytest.fixture
def teachmp_server():
    teachmp = load_impl('teachmp')
    from teachmp import forkserver

    forkserver._forkserver._stop()
    run_child(teachmp.get_context('forkserver'), report_ppid)
    yield forkserver._forkserver
    forkserver._forkserver._stop()


def test_fds_without_the_handshake_start_nothing(teachmp_server):
    from teachmp import forkserver

    before = children_of(teachmp_server._pid)
    r, w = os.pipe()
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(TIMEOUT)
            s.connect(teachmp_server._address)
            # skip the handshake: go straight to "here are the fds, fork"
            forkserver.send_fds(s, [w, w])
            os.close(w)
            w = None
            greeting = forkserver._recv_exact(s, 4)   # the server talks first
            data = b''
            while True:
                try:
                    chunk = s.recv(4096)
                except ConnectionResetError:
                    chunk = b''     # it hung up without reading our bytes
                if not chunk:
                    break                               # and then hangs up
                data += chunk
        assert b'#CHALLENGE#' in data
        assert greeting
        # Had the server taken our pipe and forked, it would have written the
        # child's pid into it.  EOF: nobody but us ever held its write end.
        assert os.read(r, 8) == b''
    finally:
        os.close(r)
        if w is not None:
            os.close(w)
    assert children_of(teachmp_server._pid) == before


def test_a_wrong_key_is_refused(teachmp_server):
    from teachmp import auth, forkserver
    from teachmp.errors import AuthenticationError

    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(TIMEOUT)
        s.connect(teachmp_server._address)
        with pytest.raises(AuthenticationError, match='digest sent was rejected'):
            auth.answer_challenge(forkserver._Channel(s), b'not the key' * 3)


def test_the_server_still_serves_after_a_stranger(teachmp_server):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(teachmp_server._address)
        s.sendall(b'\x00\x00\x00\x05hello')
    teachmp = load_impl('teachmp')
    ppid, _ = run_child(teachmp.get_context('forkserver'), report_ppid)
    assert ppid == teachmp_server._pid
