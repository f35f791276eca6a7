"""``socket.setdefaulttimeout()`` must not change how a pipe waits.

A program that sets a default socket timeout (network code often does) still
expects ``Pipe``, ``Listener``/``Client``, a manager and a queue carrying a
Connection to wait for their peer as long as it takes, as the stdlib's do.
Every peer below answers after 0.5 s, five times the default timeout the
test sets: if any socket that the library creates took the default, its
reads would fail (``BlockingIOError``) or time out (``TimeoutError``).
"""

from __future__ import annotations

import importlib
import socket
import threading
import time

import pytest

import timeout_targets

DEFAULT_TIMEOUT = 0.1


@pytest.fixture
def default_timeout():
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DEFAULT_TIMEOUT)
    try:
        yield DEFAULT_TIMEOUT
    finally:
        socket.setdefaulttimeout(old)


def test_pipe_recv_waits_for_a_late_message(mp, default_timeout):
    ours, theirs = mp.Pipe()
    p = mp.Process(target=timeout_targets.send_later, args=(theirs, 'late'))
    p.start()
    theirs.close()
    try:
        assert ours.recv() == 'late'
    finally:
        p.join(10)
        ours.close()
    assert p.exitcode == 0


def test_pipe_made_under_a_timeout_waits_after_it_is_cleared(impl, default_timeout):
    # the end's blocking mode is fixed when the pipe is made
    a, b = impl.Pipe()
    socket.setdefaulttimeout(None)
    t = threading.Thread(target=timeout_targets.send_later, args=(b, 'x', 0.3))
    t.start()
    try:
        assert a.recv() == 'x'
    finally:
        t.join(10)
        a.close()


def test_listener_accept_and_client_wait(impl, default_timeout):
    connection = importlib.import_module(impl.__name__ + '.connection')
    got = []

    def client(address):
        time.sleep(0.4)         # accept() waits longer than the timeout
        with connection.Client(address, authkey=b'key') as c:
            time.sleep(0.4)     # and so does the first recv()
            c.send('hi')
            got.append(c.recv())

    with connection.Listener(authkey=b'key') as listener:
        t = threading.Thread(target=client, args=(listener.address,))
        t.start()
        try:
            with listener.accept() as conn:
                assert conn.recv() == 'hi'
                time.sleep(0.3)
                conn.send('bye')
        finally:
            t.join(10)
    assert got == ['bye']


def test_manager_calls_wait_for_a_slow_answer(mp, default_timeout):
    with mp.Manager() as m:
        q = m.Queue()
        d = m.dict()
        d['a'] = 1
        t = threading.Timer(0.5, q.put, args=(5,))
        t.start()
        try:
            assert q.get(timeout=10) == 5
        finally:
            t.join(10)
        assert d['a'] == 1


def test_connection_sent_through_a_queue_waits(mp, impl, default_timeout):
    q = mp.Queue()
    ours, theirs = mp.Pipe()
    p = mp.Process(target=timeout_targets.relay_connection_later,
                   args=(q, 'via'))
    p.start()
    try:
        q.put(theirs)
        assert ours.recv() == 'via'
    finally:
        p.join(10)
        theirs.close()
        ours.close()
        q.close()
        q.join_thread()
        # the stdlib's sharer thread lives until stop(); stop both
        importlib.import_module(impl.__name__ + '.resource_sharer').stop(timeout=10)
    assert p.exitcode == 0


def test_pool_map_under_a_default_timeout(mp, default_timeout):
    with mp.Pool(2) as pool:
        assert pool.map(timeout_targets.slow_square, range(4)) == [0, 1, 4, 9]
