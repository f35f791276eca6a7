"""connection.wait(): connections, sockets, sentinels and plain fds."""

from __future__ import annotations

import importlib
import os
import socket
import threading
import time

import pytest

import targets
from support import TIMEOUT


def wait_of(mod):
    return importlib.import_module(mod.__name__ + '.connection').wait


def test_nothing_ready_times_out(mpmod):
    wait = wait_of(mpmod)
    a, b = mpmod.Pipe()
    try:
        assert wait([a, b], 0) == []
        start = time.monotonic()
        assert wait([a, b], 0.1) == []
        assert time.monotonic() - start >= 0.09
        assert wait([a, b], -1) == []  # negative: do not block
        assert wait((a, b), 0) == []  # any iterable of objects
        assert wait([], 0) == []
        assert wait([], 0.01) == []
    finally:
        a.close()
        b.close()


def test_returns_the_ready_subset(mpmod):
    wait = wait_of(mpmod)
    pipes = [mpmod.Pipe() for _ in range(4)]
    readers = [b for _, b in pipes]
    try:
        pipes[1][0].send('one')
        pipes[3][0].send('three')
        ready = wait(readers, TIMEOUT)
        assert isinstance(ready, list)
        assert set(map(id, ready)) == {id(readers[1]), id(readers[3])}
        assert len(ready) == 2
        assert readers[1].recv() == 'one'
        assert wait(readers, 0) == [readers[3]]  # the same objects come back
    finally:
        for a, b in pipes:
            a.close()
            b.close()


def test_closed_writer_counts_as_ready(mpmod):
    wait = wait_of(mpmod)
    a, b = mpmod.Pipe(duplex=False)
    b.close()
    try:
        assert wait([a], TIMEOUT) == [a]
        with pytest.raises(EOFError):
            a.recv()
    finally:
        a.close()


def test_sockets_and_fds(mpmod):
    wait = wait_of(mpmod)
    s1, s2 = socket.socketpair()
    r, w = os.pipe()
    try:
        assert wait([s2, r], 0) == []
        s1.sendall(b'ping')
        assert wait([s2, r], TIMEOUT) == [s2]
        os.write(w, b'x')
        ready = wait([s2, r], TIMEOUT)
        assert set(ready) == {s2, r} and len(ready) == 2
        assert s2.recv(4) == b'ping'
        assert wait([s2, r], TIMEOUT) == [r]
    finally:
        for s in (s1, s2):
            s.close()
        os.close(r)
        os.close(w)


def test_object_with_fileno(mpmod):
    wait = wait_of(mpmod)

    class Holder:
        def __init__(self, fd):
            self.fd = fd

        def fileno(self):
            return self.fd

    r, w = os.pipe()
    h = Holder(r)
    try:
        assert wait([h], 0) == []
        os.write(w, b'x')
        assert wait([h], TIMEOUT) == [h]
    finally:
        os.close(r)
        os.close(w)


def test_timeout_none_blocks_until_ready(mpmod):
    wait = wait_of(mpmod)
    a, b = mpmod.Pipe()
    box = {}
    t = threading.Thread(target=lambda: box.setdefault('ready', wait([b], None)))
    t.start()
    a.send('go')
    t.join(TIMEOUT)
    assert not t.is_alive()
    try:
        assert box['ready'] == [b]
    finally:
        a.close()
        b.close()


def test_process_sentinels(mp, impl):
    wait = wait_of(impl)
    r, w = mp.Pipe(duplex=False)
    blocker = mp.Process(target=targets.wait_for_message, args=(r,))
    quick = mp.Process(target=targets.exit_with, args=(3,))
    blocker.start()
    quick.start()
    try:
        ready = wait([blocker.sentinel, quick.sentinel], TIMEOUT)
        assert ready == [quick.sentinel]
        assert wait([blocker.sentinel], 0) == []
        w.send('go')
        assert wait([blocker.sentinel], TIMEOUT) == [blocker.sentinel]
    finally:
        w.send('go') if blocker.is_alive() else None
        blocker.join(TIMEOUT)
        quick.join(TIMEOUT)
        r.close()
        w.close()
    assert (blocker.exitcode, quick.exitcode) == (0, 3)


def test_mixed_connections_and_sentinels(mp, impl):
    """The pattern of the stdlib docs: wait for results or for exits."""
    wait = wait_of(impl)
    readers, procs = [], []
    for i in range(3):
        r, w = mp.Pipe(duplex=False)
        p = mp.Process(target=targets.send_through, args=(w, i))
        p.start()
        w.close()
        readers.append(r)
        procs.append(p)
    got = []
    live = list(readers)
    try:
        while live:
            for r in wait(live, TIMEOUT):
                try:
                    got.append(r.recv())
                except EOFError:
                    live.remove(r)
        assert sorted(got) == [0, 1, 2]
        sentinels = {p.sentinel: p for p in procs}
        pending = set(sentinels)
        while pending:
            ready = wait(list(pending), TIMEOUT)
            assert ready, 'a child did not end'
            pending -= set(ready)
    finally:
        for p in procs:
            p.join(TIMEOUT)
        for r in readers:
            r.close()
    assert [p.exitcode for p in procs] == [0, 0, 0]


def test_closed_connection_in_the_list(mpmod):
    import multiprocessing

    def error_of(mod):
        a, b = mod.Pipe()
        a.close()
        try:
            wait_of(mod)([a], 0)
        except Exception as exc:  # noqa: BLE001
            return type(exc)
        finally:
            b.close()
        return None

    assert error_of(mpmod) is error_of(multiprocessing)
