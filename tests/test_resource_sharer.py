"""Sending a Connection or a socket to a process that is already running.

Through a Pipe, a Queue and a manager, with fork and spawn, on both
implementations: the descriptor must arrive (the child answers through it),
as the stdlib's resource sharer makes it.
"""

import importlib
import socket

import pytest

import sharer_targets as targets
from support import TIMEOUT


@pytest.fixture(autouse=True)
def _stop_sharers(impl):
    # The stdlib's sharer thread lives until stop() (or exit); ours stops by
    # itself once everything was fetched.  Stop both so the leak check sees
    # no thread either way.
    yield
    importlib.import_module(impl.__name__ + '.resource_sharer').stop(timeout=TIMEOUT)


def _run(mp, target, arg):
    p = mp.Process(target=target, args=(arg,))
    p.start()
    return p


def _finish(p):
    p.join(TIMEOUT)
    assert p.exitcode == 0


@pytest.mark.parametrize('duplex', [True, False], ids=['duplex', 'oneway'])
def test_connection_through_a_pipe(mp, duplex):
    ctl_r, ctl_w = mp.Pipe(duplex=False)
    p = _run(mp, targets.use_connection_from_pipe, ctl_r)
    reader, writer = mp.Pipe(duplex=duplex)
    ctl_w.send(writer)          # the child is running: no fd inheritance now
    writer.close()
    assert reader.poll(TIMEOUT)
    assert reader.recv() == ('hello through', 'Connection', duplex, True)
    _finish(p)
    for c in (reader, ctl_r, ctl_w):
        c.close()


def test_connection_through_a_queue(mp):
    q = mp.Queue()
    p = _run(mp, targets.use_connection_from_queue, q)
    reader, writer = mp.Pipe()
    q.put(writer)
    assert reader.poll(TIMEOUT)
    assert reader.recv() == 'hello from the queue'
    _finish(p)
    writer.close()
    reader.close()
    q.close()
    q.join_thread()


def test_socket_through_a_queue(mp):
    q = mp.Queue()
    p = _run(mp, targets.use_socket_from_queue, q)
    mine, theirs = socket.socketpair()
    q.put(theirs)
    mine.settimeout(TIMEOUT)
    data = b''
    while len(data) < 14:
        chunk = mine.recv(100)
        if not chunk:
            break
        data += chunk
    assert data == b'socket says hi'
    _finish(p)
    mine.close()
    theirs.close()
    q.close()
    q.join_thread()


def test_connection_through_a_manager(mp):
    with mp.Manager() as manager:
        lst = manager.list()
        reader, writer = mp.Pipe()
        lst.append(writer)      # the manager's server fetches it from us
        writer.close()
        p = _run(mp, targets.use_connection_from_manager, lst)
        assert reader.poll(TIMEOUT)
        assert reader.recv() == 'hello from the manager'
        _finish(p)
        reader.close()
