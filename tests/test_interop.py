"""A teachmp Connection and a stdlib Connection on the two ends of one socket.

The wire format is the stdlib's, byte for byte: a 4-byte big-endian signed
length then the payload; for payloads over 0x7fffffff bytes, the length -1
then an 8-byte unsigned length.  Pickled objects use the stdlib's default
protocol.  Both directions are tested, objects and bytes.
"""

from __future__ import annotations

import array
import os
import pickle
import socket
import struct
import threading

import multiprocessing.connection as std_connection
import pytest

import teachmp.connection as tm_connection
from support import TIMEOUT, recv


# Which end is which: (sender's module, receiver's module)
DIRECTIONS = [
    pytest.param((tm_connection, std_connection), id='teachmp-to-stdlib'),
    pytest.param((std_connection, tm_connection), id='stdlib-to-teachmp'),
]


@pytest.fixture(params=DIRECTIONS)
def ends(request):
    send_mod, recv_mod = request.param
    s1, s2 = socket.socketpair()
    sender = send_mod.Connection(s1.detach())
    receiver = recv_mod.Connection(s2.detach())
    yield sender, receiver
    sender.close()
    receiver.close()


@pytest.fixture(params=DIRECTIONS)
def pipe_ends(request):
    """The same over a one-way os.pipe()."""
    send_mod, recv_mod = request.param
    r, w = os.pipe()
    sender = send_mod.Connection(w, readable=False)
    receiver = recv_mod.Connection(r, writable=False)
    yield sender, receiver
    sender.close()
    receiver.close()


def in_thread(func, *args):
    box = {}

    def body():
        try:
            box['result'] = func(*args)
        except BaseException as exc:  # noqa: BLE001
            box['error'] = exc

    t = threading.Thread(target=body)
    t.start()

    def join():
        t.join(TIMEOUT)
        assert not t.is_alive()
        if 'error' in box:
            raise box['error']
        return box.get('result')

    return join


OBJECTS = [None, 1, 'text ✓', b'bytes', [1, {'a': (2, 3)}], {4, 5}, 2**70, 1.25]


def test_objects(ends):
    sender, receiver = ends
    for obj in OBJECTS:
        sender.send(obj)
    assert [recv(receiver) for _ in OBJECTS] == OBJECTS


def test_objects_reply(ends):
    """Both ends are duplex: the receiver answers."""
    sender, receiver = ends
    sender.send('question')
    assert recv(receiver) == 'question'
    receiver.send(('answer', 42))
    assert recv(sender) == ('answer', 42)
    receiver.send_bytes(b'raw answer')
    assert sender.poll(TIMEOUT) and sender.recv_bytes() == b'raw answer'


def test_bytes(ends):
    sender, receiver = ends
    sender.send_bytes(b'')
    sender.send_bytes(b'hello')
    sender.send_bytes(b'0123456789', 2, 5)
    sender.send_bytes(array.array('i', [7, 8, 9]), 4)
    assert receiver.recv_bytes() == b''
    assert receiver.recv_bytes() == b'hello'
    assert receiver.recv_bytes() == b'23456'
    assert receiver.recv_bytes() == array.array('i', [8, 9]).tobytes()


def test_bytes_and_objects_mixed(ends):
    sender, receiver = ends
    sender.send_bytes(pickle.dumps('pickled by hand'))
    sender.send({'x': 1})
    assert recv(receiver) == 'pickled by hand'
    assert pickle.loads(receiver.recv_bytes()) == {'x': 1}


def test_recv_bytes_into_and_too_short(ends):
    sender, receiver = ends
    buf = bytearray(8)
    sender.send_bytes(b'abc')
    assert receiver.recv_bytes_into(buf, 2) == 3
    assert buf == b'\0\0abc\0\0\0'
    sender.send_bytes(b'0123456789')
    with pytest.raises(Exception) as info:  # noqa: PT011  (either module's class)
        receiver.recv_bytes_into(buf)
    assert type(info.value).__name__ == 'BufferTooShort'
    assert info.value.args == (b'0123456789',)
    sender.send('after')
    assert recv(receiver) == 'after'


def test_large_messages(ends):
    """Messages far bigger than the socket buffer (4-byte header)."""
    sender, receiver = ends
    big = os.urandom(1 << 16) * 20  # 1.25 MiB, needs all 4 header bytes
    obj = {'blob': big[: 300_000]}
    join = in_thread(lambda: (sender.send_bytes(big), sender.send(obj)))
    try:
        assert receiver.recv_bytes() == big
        assert recv(receiver) == obj
    finally:
        join()


def test_maxlength(ends):
    sender, receiver = ends
    sender.send_bytes(b'x' * 100)
    with pytest.raises(OSError, match='bad message length'):
        receiver.recv_bytes(50)


def test_eof_both_ways(ends):
    sender, receiver = ends
    sender.send('bye')
    sender.close()
    assert recv(receiver) == 'bye'
    with pytest.raises(EOFError):
        receiver.recv()


def test_eof_reverse(ends):
    sender, receiver = ends
    receiver.close()
    with pytest.raises(EOFError):
        sender.recv()


def test_over_os_pipe(pipe_ends):
    sender, receiver = pipe_ends
    sender.send(['over', 'a', 'pipe'])
    sender.send_bytes(b'raw')
    assert recv(receiver) == ['over', 'a', 'pipe']
    assert receiver.recv_bytes() == b'raw'


# -- the bytes on the wire ------------------------------------------------------------


@pytest.mark.parametrize('mod', [tm_connection, std_connection], ids=['teachmp', 'stdlib'])
def test_frame_bytes(mod):
    """What one end writes, read raw from the socket."""
    s1, s2 = socket.socketpair()
    conn = mod.Connection(s1.detach())
    try:
        conn.send_bytes(b'abc')
        conn.send_bytes(b'')
        conn.send({'k': [1, 2]})
        payload = pickle.dumps({'k': [1, 2]}, protocol=pickle.DEFAULT_PROTOCOL)
        expected = (
            struct.pack('!i', 3) + b'abc' + struct.pack('!i', 0)
            + struct.pack('!i', len(payload)) + payload
        )
        got = b''
        s2.settimeout(TIMEOUT)
        while len(got) < len(expected):
            chunk = s2.recv(len(expected) - len(got))
            assert chunk
            got += chunk
        assert got == expected
    finally:
        conn.close()
        s2.close()


@pytest.mark.parametrize('mod', [tm_connection, std_connection], ids=['teachmp', 'stdlib'])
def test_long_header_is_understood(mod):
    """A frame announced with -1 and an 8-byte length (the >2 GiB form) is
    accepted for any size: send a small one written by hand."""
    s1, s2 = socket.socketpair()
    conn = mod.Connection(s1.detach())
    try:
        s2.sendall(struct.pack('!i', -1) + struct.pack('!Q', 5) + b'hello')
        pickled = pickle.dumps(('long', 'form'))
        s2.sendall(struct.pack('!i', -1) + struct.pack('!Q', len(pickled)) + pickled)
        assert conn.poll(TIMEOUT)
        assert conn.recv_bytes() == b'hello'
        assert recv(conn) == ('long', 'form')
        # a huge announced length is refused by maxlength without reading it
        s2.sendall(struct.pack('!i', -1) + struct.pack('!Q', 3 << 30))
        with pytest.raises(OSError, match='bad message length'):
            conn.recv_bytes(1 << 20)
    finally:
        conn.close()
        s2.close()


class _Huge:
    """Pretends to be a 3 GiB buffer: only its length is ever looked at
    before the header is written."""

    def __len__(self):
        return 3 << 30


@pytest.mark.parametrize('mod', [tm_connection, std_connection], ids=['teachmp', 'stdlib'])
def test_long_header_is_written_for_huge_payloads(mod):
    """The >2 GiB path without 2 GiB of memory: call the framing method
    (``Connection._send_bytes``, named in both implementations) with a fake
    buffer and record what it writes before the payload."""
    s1, s2 = socket.socketpair()
    conn = mod.Connection(s1.detach())
    written = []
    try:
        conn._send = written.append  # record instead of writing
    except AttributeError:
        conn.close()
        s2.close()
        pytest.skip(f'{mod.__name__}.Connection has no patchable _send')
    try:
        conn._send_bytes(_Huge())
    finally:
        del conn._send
        conn.close()
        s2.close()
    header = b''
    for chunk in written:
        if isinstance(chunk, _Huge):
            break
        header += bytes(chunk)
    assert header == struct.pack('!i', -1) + struct.pack('!Q', 3 << 30)
    assert any(isinstance(chunk, _Huge) for chunk in written)
