"""The HMAC handshake: across implementations, across Python versions, and
against hostile peers.

* ``deliver_challenge``/``answer_challenge`` of teachmp and of the stdlib on the
  two ends of a socket, right and wrong keys;
* a stdlib Listener or Client running under another interpreter (3.10: the
  legacy MD5 handshake; 3.12/3.13: the modern ``{sha256}`` one) talking to a
  teachmp Client or Listener in this process;
* peers that send nothing, garbage, a huge length, a pickle, or hang up: the
  listener (or client) gets an error quickly -- never a hang, never a large
  allocation, never an unpickled byte before the peer proved its key;
* a fuzz run of malformed handshakes.
"""

from __future__ import annotations

import os
import pickle
import random
import resource
import socket
import struct
import subprocess
import sys
import threading
import time

import multiprocessing as std_mp
import multiprocessing.connection as std_connection
import pytest

import teachmp
import teachmp.connection as tm_connection
import teachmp.listener as tm_listener
from support import TIMEOUT, finish_program

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, 'programs', 'listener_peer.py')
MODS = {'teachmp': (tm_connection, teachmp), 'stdlib': (std_connection, std_mp)}


@pytest.fixture(params=list(MODS))
def impl(request):
    """(connection module, top-level module) of one implementation."""
    return MODS[request.param]


def protocol_errors(top):
    """What a peer that is not speaking the handshake makes answer_challenge raise.

    The stdlib before 3.12 checks the challenge prefix with ``assert``.
    """
    if top is std_mp and sys.version_info < (3, 12):
        return (top.AuthenticationError, AssertionError)
    return top.AuthenticationError


def in_thread(func, *args):
    box = {}

    def body():
        try:
            box['result'] = func(*args)
        except BaseException as exc:  # noqa: BLE001
            box['error'] = exc

    t = threading.Thread(target=body, daemon=True)
    t.start()

    def join(timeout=TIMEOUT):
        t.join(timeout)
        assert not t.is_alive(), 'thread did not finish'
        if 'error' in box:
            raise box['error']
        return box.get('result')

    return join


def frame(payload: bytes) -> bytes:
    return struct.pack('!i', len(payload)) + payload


class Marker:
    """Unpickling this creates a file: proof that somebody unpickled it."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'x'))


# -- the two functions, across implementations --------------------------------

FUNCS = {
    'teachmp': (tm_connection.deliver_challenge, tm_connection.answer_challenge),
    'stdlib': (std_connection.deliver_challenge, std_connection.answer_challenge),
}
PAIRS = [(d, a) for d in FUNCS for a in FUNCS]


@pytest.mark.parametrize(
    'deliverer,answerer', PAIRS, ids=[f'{d}-challenges-{a}' for d, a in PAIRS]
)
@pytest.mark.parametrize('right', [True, False], ids=['right-key', 'wrong-key'])
def test_challenge_functions_interoperate(deliverer, answerer, right):
    s1, s2 = socket.socketpair()
    c1 = MODS[deliverer][0].Connection(s1.detach())
    c2 = MODS[answerer][0].Connection(s2.detach())
    with c1, c2:
        deliver = FUNCS[deliverer][0]
        answer = FUNCS[answerer][1]
        join = in_thread(deliver, c1, b'key')
        if right:
            answer(c2, b'key')
            join()
        else:
            with pytest.raises(MODS[answerer][1].AuthenticationError):
                answer(c2, b'not the key')
            with pytest.raises(MODS[deliverer][1].AuthenticationError):
                join()


def test_teachmp_challenge_is_modern():
    """teachmp challenges with ``{sha256}`` + 40 random bytes (3.12+ form)."""
    s1, s2 = socket.socketpair()
    c1 = tm_connection.Connection(s1.detach())
    with c1, s2:
        join = in_thread(tm_connection.deliver_challenge, c1, b'k')
        s2.settimeout(TIMEOUT)
        header = s2.recv(4)
        (size,) = struct.unpack('!i', header)
        data = b''
        while len(data) < size:
            data += s2.recv(size - len(data))
        assert data.startswith(b'#CHALLENGE#{sha256}')
        assert len(data) == len(b'#CHALLENGE#{sha256}') + 40
        s2.sendall(frame(b'x' * 40))  # a wrong answer
        with pytest.raises(teachmp.AuthenticationError):
            join()


@pytest.mark.parametrize('impl_name', list(MODS))
def test_authkey_must_be_bytes(impl_name):
    deliver, answer = FUNCS[impl_name]
    r, w = MODS[impl_name][0].Pipe()
    with r, w:
        for func in (deliver, answer):
            with pytest.raises(ValueError, match='Authkey must be bytes'):
                func(r, 'text')


# -- other Python versions -------------------------------------------------------

VERSIONS = {
    '3.10': os.path.expanduser('~/.pyenv/versions/3.10.13/bin/python'),
    '3.12': os.path.expanduser('~/.pyenv/versions/3.12.1/bin/python'),
    '3.13': os.path.expanduser('~/.pyenv/versions/3.13.0/bin/python'),
}


def interpreter(version):
    path = VERSIONS[version]
    if not os.access(path, os.X_OK):
        pytest.skip(f'Python {version} is not installed at {path}')
    return path


def start_peer(python, *args):
    return subprocess.Popen(
        [python, PEER, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize('key', ['secret', '-'], ids=['key', 'nokey'])
@pytest.mark.parametrize('version', list(VERSIONS))
def test_teachmp_client_to_other_python_listener(version, key):
    proc = start_peer(interpreter(version), 'listen', key)
    try:
        line = proc.stdout.readline().split()
        assert line[0] == 'port', line
        authkey = None if key == '-' else key.encode()
        with tm_connection.Client(('127.0.0.1', int(line[1])), authkey=authkey) as c:
            c.send({'n': 1})
            assert c.poll(TIMEOUT)
            assert c.recv() == ('echo', {'n': 1}, version)
            c.send_bytes(b'hello')
            assert c.poll(TIMEOUT)
            assert c.recv_bytes() == b'olleh'
    finally:
        out = finish_program(proc)
    assert out.split() == ['done']


@pytest.mark.parametrize('key', ['secret', '-'], ids=['key', 'nokey'])
@pytest.mark.parametrize('version', list(VERSIONS))
def test_other_python_client_to_teachmp_listener(version, key):
    python = interpreter(version)
    authkey = None if key == '-' else key.encode()
    with tm_connection.Listener(('127.0.0.1', 0), authkey=authkey) as listener:

        def serve():
            with listener.accept() as conn:
                assert conn.poll(TIMEOUT)
                obj = conn.recv()
                conn.send(('echo', obj))
                assert conn.poll(TIMEOUT)
                conn.send_bytes(conn.recv_bytes().upper())
                return obj

        join = in_thread(serve)
        proc = start_peer(python, 'connect', str(listener.address[1]), key)
        out = finish_program(proc)
        assert join() == {'from': version, 'data': [1, 2, 3]}
    expected = "got ('echo', {'from': '%s', 'data': [1, 2, 3]})\nbytes b'ABC'\ndone\n"
    assert out == expected % version


@pytest.mark.parametrize('version', list(VERSIONS))
def test_other_python_wrong_key_both_directions(version):
    python = interpreter(version)
    # teachmp Client, other Python's Listener
    proc = start_peer(python, 'listen', 'right')
    try:
        line = proc.stdout.readline().split()
        with pytest.raises(teachmp.AuthenticationError):
            tm_connection.Client(('127.0.0.1', int(line[1])), authkey=b'wrong')
    finally:
        out = finish_program(proc)
    assert out.startswith('auth-error:')
    # other Python's Client, teachmp Listener
    with tm_connection.Listener(('127.0.0.1', 0), authkey=b'right') as listener:
        join = in_thread(listener.accept)
        proc = start_peer(python, 'connect', str(listener.address[1]), 'wrong')
        out = finish_program(proc)
        with pytest.raises(teachmp.AuthenticationError):
            join()
    assert out.startswith('auth-error:')


# -- hostile peers against a Listener with a key --------------------------------


@pytest.fixture
def short_deadline(monkeypatch):
    monkeypatch.setattr(tm_listener, 'HANDSHAKE_TIMEOUT', 0.5)
    return 0.5


def raw_connect(address):
    family = socket.AF_INET if isinstance(address, tuple) else socket.AF_UNIX
    s = socket.socket(family)
    s.settimeout(TIMEOUT)
    s.connect(address)
    return s


def test_silent_peer_times_out(short_deadline):
    """teachmp only: the stdlib's accept() would wait forever."""
    with tm_connection.Listener(authkey=b'key') as listener:
        join = in_thread(listener.accept)
        with raw_connect(listener.address):
            start = time.monotonic()
            with pytest.raises(teachmp.AuthenticationError):
                join(timeout=10)
            assert time.monotonic() - start < 5
        # the listener still works afterwards
        join = in_thread(listener.accept)
        with tm_connection.Client(listener.address, authkey=b'key') as c:
            with join() as server_side:
                c.send('ok')
                assert server_side.poll(TIMEOUT) and server_side.recv() == 'ok'


def test_half_answer_times_out(short_deadline):
    """A peer that announces 100 bytes and sends 3 of them."""
    with tm_connection.Listener(authkey=b'key') as listener:
        join = in_thread(listener.accept)
        with raw_connect(listener.address) as s:
            s.sendall(struct.pack('!i', 100) + b'abc')
            start = time.monotonic()
            with pytest.raises(teachmp.AuthenticationError):
                join(timeout=10)
            assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    'payload',
    [
        frame(b'garbage'),
        frame(b''),
        frame(b'{sha256}' + b'\0' * 32),
        frame(b'{md5}' + b'\0' * 16),
        frame(b'{nosuchdigest}' + b'\0' * 32),
        frame(os.urandom(16)),
        frame(os.urandom(200)),
    ],
    ids=['garbage', 'empty', 'zero-sha256', 'zero-md5', 'bad-digest', 'random16', 'random200'],
)
def test_garbage_answer_is_refused(impl, payload):
    cmod, top = impl
    with cmod.Listener(authkey=b'key') as listener:
        join = in_thread(listener.accept)
        with raw_connect(listener.address) as s:
            s.sendall(payload)
            with pytest.raises(top.AuthenticationError):
                join()


def test_huge_length_is_refused_without_allocating(impl):
    cmod, top = impl
    with cmod.Listener(authkey=b'key') as listener:
        join = in_thread(listener.accept)
        with raw_connect(listener.address) as s:
            # 2 GiB - 1 announced (and the 8-byte form: 16 EiB)
            s.sendall(struct.pack('!i', 0x7FFFFFFF) + b'x' * 100)
            start = time.monotonic()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            with pytest.raises(OSError, match='bad message length'):
                join()
            assert time.monotonic() - start < 5
            grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
            assert grown < 64 * 1024, 'the announced 2 GiB were allocated'
        join = in_thread(listener.accept)
        with raw_connect(listener.address) as s:
            s.sendall(struct.pack('!i', -1) + struct.pack('!Q', 2**63))
            with pytest.raises(OSError, match='bad message length'):
                join()


def test_peer_that_hangs_up(impl):
    cmod, top = impl
    with cmod.Listener(authkey=b'key') as listener:
        for _ in range(3):
            join = in_thread(listener.accept)
            raw_connect(listener.address).close()
            with pytest.raises((EOFError, ConnectionError)):
                join()
        # still serving
        join = in_thread(listener.accept)
        with cmod.Client(listener.address, authkey=b'key'):
            join().close()


def test_nothing_unpickled_before_authentication(impl, tmp_path):
    cmod, top = impl
    marker = tmp_path / 'unpickled'
    evil = pickle.dumps(Marker(str(marker)))
    with cmod.Listener(authkey=b'key') as listener:
        # the pickle sent as the answer to the challenge
        join = in_thread(listener.accept)
        with raw_connect(listener.address) as s:
            s.sendall(frame(evil))
            with pytest.raises(top.AuthenticationError):
                join()
        assert not marker.exists()
    # a client facing a "listener" that sends a pickle instead of a challenge
    server = socket.socket(socket.AF_INET)
    server.bind(('127.0.0.1', 0))
    server.listen(1)
    with server:

        def evil_server():
            conn, _ = server.accept()
            with conn:
                conn.sendall(frame(evil) * 3)
                conn.settimeout(TIMEOUT)
                try:
                    while conn.recv(4096):
                        pass
                except OSError:
                    pass

        join = in_thread(evil_server)
        with pytest.raises(protocol_errors(top)):
            cmod.Client(server.getsockname(), authkey=b'key')
        join()
    assert not marker.exists()
    # sanity: the payload does create the marker when unpickled
    pickle.loads(evil).close()
    assert marker.exists()


def test_client_refuses_huge_challenge(impl):
    cmod, top = impl
    server = socket.socket(socket.AF_INET)
    server.bind(('127.0.0.1', 0))
    server.listen(1)
    with server:

        def evil_server():
            conn, _ = server.accept()
            with conn:
                conn.sendall(struct.pack('!i', 0x7FFFFFFF))
                conn.settimeout(TIMEOUT)
                try:
                    conn.recv(10)
                except OSError:
                    pass

        join = in_thread(evil_server)
        with pytest.raises(OSError, match='bad message length'):
            cmod.Client(server.getsockname(), authkey=b'key')
        join()


# -- fuzz --------------------------------------------------------------------------


def _malformed(rng):
    kind = rng.randrange(8)
    if kind == 0:
        return os.urandom(rng.randrange(0, 64))  # no framing at all
    if kind == 1:
        return frame(os.urandom(rng.randrange(0, 300)))
    if kind == 2:  # a length that lies
        return struct.pack('!i', rng.randrange(-(2**31), 2**31)) + os.urandom(
            rng.randrange(0, 40)
        )
    if kind == 3:
        return frame(b'{sha256}' + os.urandom(rng.choice([0, 16, 31, 32, 33, 64])))
    if kind == 4:
        return frame(b'{' + os.urandom(rng.randrange(1, 12)) + b'}' + os.urandom(32))
    if kind == 5:
        return frame(b'#CHALLENGE#' + os.urandom(rng.randrange(0, 80)))
    if kind == 6:
        return struct.pack('!i', -1) + struct.pack('!Q', rng.randrange(2**64))
    return frame(os.urandom(16)) + frame(os.urandom(rng.randrange(0, 50)))


@pytest.mark.parametrize('impl_name,rounds', [('teachmp', 10_000), ('stdlib', 1_000)])
def test_fuzz_handshake(impl_name, rounds):
    """Malformed answers and challenges: only the expected errors, no hang."""
    cmod, top = MODS[impl_name]
    deliver, answer = FUNCS[impl_name]
    expected = (EOFError, OSError) + tuple(
        [protocol_errors(top)] if isinstance(protocol_errors(top), type)
        else protocol_errors(top))
    rng = random.Random(5)
    start = time.monotonic()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for i in range(rounds):
        data = _malformed(rng)
        s1, s2 = socket.socketpair()
        s1.settimeout(5)
        conn = cmod.Connection(s1.detach())
        try:
            # the peer's bytes are already there and then it stops writing:
            # every read ends in data or EOF, never a wait
            s2.sendall(data)
            s2.shutdown(socket.SHUT_WR)
            func = deliver if i % 2 else answer
            try:
                func(conn, b'key')
            except expected:
                pass
            else:
                pytest.fail(f'{func.__name__} accepted {data!r}')
        finally:
            conn.close()
            s2.close()
    assert time.monotonic() - start < 60
    # no announced length was ever allocated (ru_maxrss is in KiB)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
    assert grown < 64 * 1024
