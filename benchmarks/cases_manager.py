"""Benchmarks of chapters 07 and 09: managers, Listener and Client.

Same conventions as :mod:`benchmarks.cases`.  The manager's server process
is forked by the library under test; in the two-core placement it is pinned
to the other CPU through ``start(initializer=...)``.
"""

import importlib
import os
import socket
import tempfile
import time

from benchmarks.helpers import _fork_child, _pin_child, _timed_loop, _wait_child

AUTHKEY = b'benchmark secret'


def _module(mp, name):
    return importlib.import_module(f'{mp.__name__}.{name}')


# -- Manager dict: d[k] = v then d[k] ------------------------------------------------

def manager_dict_lib(mp, count):
    ctx = mp.get_context('fork')
    manager = _module(mp, 'managers').SyncManager(ctx=ctx)
    manager.start(initializer=_pin_child)
    try:
        d = manager.dict()
        for i in range(100):                       # warm-up, untimed
            d['key'] = i
            d['key']
        t0 = time.perf_counter()
        for i in range(count):
            d['key'] = i
            got = d['key']
        dt = time.perf_counter() - t0
        if got != count - 1:
            raise RuntimeError(f'd[key] is {got!r}')
    finally:
        manager.shutdown()
    return dt / count * 1e6                        # µs per set+get


def manager_dict_floor(count):
    # A forked server holding a dict, two request/reply round trips over a
    # socketpair per set+get, raw bytes instead of pickled method calls.
    here, there = socket.socketpair()

    def serve():
        _pin_child()
        here.close()
        fd = there.fileno()
        store = {}
        while True:
            msg = os.read(fd, 256)
            if not msg:
                return
            if msg[:1] == b'S':
                store[msg[1:4]] = msg[4:]
                os.write(fd, b'ok')
            else:
                os.write(fd, store[msg[1:4]])
    pid = _fork_child(serve)
    there.close()
    fd = here.fileno()
    read, write = os.read, os.write
    try:
        for i in range(100 + count):
            if i == 100:
                t0 = time.perf_counter()
            write(fd, b'Skey' + i.to_bytes(4, 'big'))
            read(fd, 256)
            write(fd, b'Gkey')
            got = read(fd, 256)
        dt = time.perf_counter() - t0
        if int.from_bytes(got, 'big') != 100 + count - 1:
            raise RuntimeError('wrong value')
    finally:
        here.close()
        _wait_child(pid)
    return dt / count * 1e6


# -- Manager start + shutdown --------------------------------------------------------

def manager_start_lib(mp, count):
    ctx = mp.get_context('fork')

    def once():
        manager = ctx.Manager()
        manager.shutdown()
    return _timed_loop(once, count)                # (wall ms, CPU ms)


def manager_start_floor(count):
    # Fork a "server" that says it is ready, then tell it to stop and reap it.
    def once():
        here, there = socket.socketpair()

        def serve():
            here.close()
            there.sendall(b'ready')
            there.recv(16)
        pid = _fork_child(serve)
        there.close()
        here.recv(16)
        here.sendall(b'bye')
        here.close()
        _wait_child(pid)
    return _timed_loop(once, count)


# -- Listener/Client connect with authentication ----------------------------------
# A forked server accepts (and authenticates) connections in a loop; the
# parent connects with the right key and closes, `count` times.

def _serve_listener(Listener, report_w, connections):
    _pin_child()
    with Listener(family='AF_UNIX', authkey=AUTHKEY) as listener:
        os.write(report_w, listener.address.encode())
        os.close(report_w)
        for _ in range(connections):
            listener.accept().close()


def _read_address(report_r):
    chunks = []
    while True:
        chunk = os.read(report_r, 4096)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(report_r)
    if not chunks:
        raise RuntimeError('the server did not start')
    return b''.join(chunks).decode()


def listener_connect_lib(mp, count):
    conn = _module(mp, 'connection')
    Listener, Client = conn.Listener, conn.Client
    warm = 20
    report_r, report_w = os.pipe()
    pid = _fork_child(lambda: _serve_listener(Listener, report_w,
                                              warm + count))
    os.close(report_w)
    try:
        address = _read_address(report_r)
        for _ in range(warm):                      # warm-up, untimed
            Client(address, authkey=AUTHKEY).close()
        t0 = time.perf_counter()
        for _ in range(count):
            Client(address, authkey=AUTHKEY).close()
        dt = time.perf_counter() - t0
    finally:
        _wait_child(pid)
    return dt / count * 1e6                        # µs per connection


# Roughly the message sizes of the stdlib's handshake on 3.11: a 4-byte
# length before the challenge (#CHALLENGE# + 20 random bytes), the digest
# and #WELCOME#.
_CHALLENGE = bytes(4 + 11 + 20)
_DIGEST = bytes(4 + 16)
_WELCOME = bytes(4 + 9)


def _floor_server(path, report_w, connections):
    _pin_child()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path)
    sock.listen(1)
    os.write(report_w, path.encode())
    os.close(report_w)
    with sock:
        for _ in range(connections):
            c, _ = sock.accept()
            with c:
                # the server challenges the client, then answers its challenge
                c.sendall(_CHALLENGE)
                c.recv(256)
                c.sendall(_WELCOME)
                c.recv(256)
                c.sendall(_DIGEST)
                c.recv(256)


def listener_connect_floor(count):
    # connect() + accept() and the six messages of the mutual handshake,
    # no HMAC, no framing.
    warm = 20
    tmp = tempfile.mkdtemp(prefix='bench-')
    path = os.path.join(tmp, 'listener')
    report_r, report_w = os.pipe()
    pid = _fork_child(lambda: _floor_server(path, report_w, warm + count))
    os.close(report_w)

    def connect():
        c = socket.socket(socket.AF_UNIX)
        with c:
            c.connect(address)
            c.recv(256)
            c.sendall(_DIGEST)
            c.recv(256)
            c.sendall(_CHALLENGE)
            c.recv(256)
            c.sendall(_WELCOME)
    try:
        address = _read_address(report_r)
        for _ in range(warm):
            connect()
        t0 = time.perf_counter()
        for _ in range(count):
            connect()
        dt = time.perf_counter() - t0
    finally:
        _wait_child(pid)
        try:
            os.unlink(path)
        except OSError:
            pass
        os.rmdir(tmp)
    return dt / count * 1e6


def cases(Case):
    return [
        Case('manager_dict', 'Manager().dict(): `d[k] = v` then `d[k]`',
             'µs/set+get', 5_000, 200, manager_dict_lib, manager_dict_floor,
             target=('stdlib', 1.0)),
        Case('manager_start', 'Manager() start + shutdown()', 'ms/manager',
             30, 2, manager_start_lib, manager_start_floor, two_cores=False),
        Case('listener_connect', 'Listener/Client connect with authkey',
             'µs/connection', 2_000, 50, listener_connect_lib,
             listener_connect_floor, target=('stdlib', 1.0)),
    ]
