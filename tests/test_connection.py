"""Pipe and Connection: the same behaviour as the stdlib's, message by message.

Most of these tests run in one process (both ends here) on each
implementation (``mpmod``); the ones that cross a process boundary use
``mp`` (fork and spawn).
"""

from __future__ import annotations

import array
import importlib
import pickle
import threading

import pytest

import targets
from support import TIMEOUT, recv


@pytest.fixture
def duplex(mpmod):
    a, b = mpmod.Pipe()
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def simplex(mpmod):
    r, w = mpmod.Pipe(duplex=False)
    yield r, w
    r.close()
    w.close()


def connection_module(mod):
    return importlib.import_module(mod.__name__ + '.connection')


def in_thread(func, *args):
    """Run func(*args) in a thread; return a join() that re-raises."""
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
        assert not t.is_alive(), 'thread did not finish'
        if 'error' in box:
            raise box['error']
        return box.get('result')

    return join


# -- Pipe() and the direction of the ends ---------------------------------------


def test_pipe_types(mpmod, duplex, simplex):
    a, b = duplex
    r, w = simplex
    for c in (a, b, r, w):
        assert type(c) is connection_module(mpmod).Connection
        assert c.closed is False
        assert isinstance(c.fileno(), int)
    assert (a.readable, a.writable) == (True, True)
    assert (b.readable, b.writable) == (True, True)
    assert (r.readable, r.writable) == (True, False)
    assert (w.readable, w.writable) == (False, True)
    assert connection_module(mpmod).Pipe is not None


def test_simplex_wrong_direction(simplex):
    r, w = simplex
    with pytest.raises(OSError, match='^connection is read-only$'):
        r.send(1)
    with pytest.raises(OSError, match='^connection is read-only$'):
        r.send_bytes(b'x')
    with pytest.raises(OSError, match='^connection is write-only$'):
        w.recv()
    with pytest.raises(OSError, match='^connection is write-only$'):
        w.recv_bytes()
    with pytest.raises(OSError, match='^connection is write-only$'):
        w.poll()
    with pytest.raises(OSError, match='^connection is write-only$'):
        w.recv_bytes_into(bytearray(4))


def test_duplex_both_ways(duplex):
    a, b = duplex
    a.send('to b')
    b.send('to a')
    assert recv(b) == 'to b'
    assert recv(a) == 'to a'


def test_simplex_one_way(simplex):
    r, w = simplex
    w.send({'x': 1})
    assert recv(r) == {'x': 1}


# -- objects --------------------------------------------------------------------


OBJECTS = [
    None,
    0,
    -(2**100),
    3.5,
    'héllo ✓',
    b'\x00\xff',
    [1, (2, 3), {'k': {4}}],
    frozenset({1, 2}),
    ValueError('inside'),
    targets.noop,
    array.array('d', [1.5, 2.5]),
]


def test_send_recv_objects_in_order(duplex):
    a, b = duplex
    for obj in OBJECTS:
        a.send(obj)
    received = [recv(b) for _ in OBJECTS]
    for sent, got in zip(OBJECTS, received):
        if isinstance(sent, Exception):
            assert type(got) is type(sent) and got.args == sent.args
        else:
            assert got == sent
            assert type(got) is type(sent)


def test_send_uses_pickle_and_recv_bytes_sees_it(duplex):
    a, b = duplex
    a.send({'k': [1, 2]})
    raw = b.recv_bytes()
    assert pickle.loads(raw) == {'k': [1, 2]}
    # the stdlib pickles with the default protocol
    assert raw == pickle.dumps({'k': [1, 2]}, protocol=pickle.DEFAULT_PROTOCOL)
    b.send_bytes(pickle.dumps(('built', 'by hand')))
    assert recv(a) == ('built', 'by hand')


def test_send_unpicklable_writes_nothing(duplex):
    a, b = duplex
    lock = threading.Lock()
    with pytest.raises(TypeError):
        a.send(lock)
    with pytest.raises(Exception) as info:  # noqa: PT011
        a.send(lambda: 0)
    assert isinstance(info.value, (pickle.PicklingError, AttributeError, TypeError))
    assert not b.poll(0)  # nothing (not even a header) was written
    a.send('still fine')
    assert recv(b) == 'still fine'


def test_unpicklable_error_type_matches_stdlib(mpmod):
    import multiprocessing

    def error_of(mod, obj):
        a, b = mod.Pipe()
        try:
            a.send(obj)
        except Exception as exc:  # noqa: BLE001
            return type(exc)
        finally:
            a.close()
            b.close()
        return None

    for obj in (lambda: 0, threading.Lock(), (x for x in ())):
        assert error_of(mpmod, obj) is error_of(multiprocessing, obj)


# -- bytes ----------------------------------------------------------------------


def test_send_bytes_offset_and_size(duplex):
    a, b = duplex
    data = b'0123456789'
    a.send_bytes(data)
    a.send_bytes(data, 3)
    a.send_bytes(data, 3, 4)
    a.send_bytes(data, 10)
    a.send_bytes(data, 0, 0)
    a.send_bytes(bytearray(b'ba'))
    a.send_bytes(memoryview(data)[2:5])
    got = [b.recv_bytes() for _ in range(7)]
    assert got == [data, b'3456789', b'3456', b'', b'', b'ba', b'234']
    assert all(type(g) is bytes for g in got)


def test_send_bytes_offsets_count_bytes_not_items(duplex):
    a, b = duplex
    arr = array.array('i', [1, 2, 3])
    a.send_bytes(arr)
    a.send_bytes(arr, arr.itemsize, arr.itemsize)
    a.send_bytes(arr, 1, 1)
    assert b.recv_bytes() == arr.tobytes()
    assert b.recv_bytes() == array.array('i', [2]).tobytes()
    assert b.recv_bytes() == arr.tobytes()[1:2]


@pytest.mark.parametrize(
    'offset, size, message',
    [
        (-1, None, 'offset is negative'),
        (11, None, 'buffer length < offset'),
        (0, -1, 'size is negative'),
        (5, 6, 'buffer length < offset + size'),
        (0, 11, 'buffer length < offset + size'),
    ],
)
def test_send_bytes_bad_offset_or_size(duplex, offset, size, message):
    a, b = duplex
    with pytest.raises(ValueError, match=f'^{message}$'.replace('+', r'\+')):
        a.send_bytes(b'0123456789', offset, size)
    assert not b.poll(0)


def test_empty_message(duplex):
    a, b = duplex
    a.send_bytes(b'')
    assert b.poll(TIMEOUT)
    assert b.recv_bytes() == b''
    buf = bytearray(b'xyz')
    a.send_bytes(b'')
    assert b.recv_bytes_into(buf) == 0
    assert buf == b'xyz'


def test_recv_bytes_maxlength(duplex):
    a, b = duplex
    a.send_bytes(b'x' * 10)
    assert b.recv_bytes(10) == b'x' * 10
    with pytest.raises(ValueError, match='^negative maxlength$'):
        b.recv_bytes(-1)
    a.send_bytes(b'x' * 11)
    with pytest.raises(OSError, match='^bad message length$'):
        b.recv_bytes(10)
    # a duplex end stops being readable (it can still write)
    assert (b.readable, b.writable, b.closed) == (False, True, False)
    with pytest.raises(OSError, match='^connection is write-only$'):
        b.recv_bytes()
    b.send('still writable')
    assert recv(a) == 'still writable'


def test_recv_bytes_maxlength_simplex_closes(simplex):
    r, w = simplex
    w.send_bytes(b'x' * 100)
    with pytest.raises(OSError, match='^bad message length$'):
        r.recv_bytes(99)
    assert r.closed is True
    with pytest.raises(OSError, match='^handle is closed$'):
        r.recv_bytes()


def test_recv_bytes_into(mpmod, duplex):
    a, b = duplex
    buf = bytearray(10)
    a.send_bytes(b'abc')
    assert b.recv_bytes_into(buf) == 3
    assert buf == b'abc' + bytes(7)
    a.send_bytes(b'XY')
    assert b.recv_bytes_into(buf, 8) == 2
    assert buf == b'abc' + bytes(5) + b'XY'
    a.send_bytes(b'')
    assert b.recv_bytes_into(buf, 10) == 0
    arr = array.array('i', [0, 0, 0, 0])
    a.send_bytes(b'abcdefgh')
    # offset in bytes; the return value counts bytes too
    assert b.recv_bytes_into(arr, arr.itemsize) == 8
    assert arr.tobytes() == bytes(arr.itemsize) + b'abcdefgh' + bytes(arr.itemsize)


def test_recv_bytes_into_bad_offset(duplex):
    a, b = duplex
    with pytest.raises(ValueError, match='^negative offset$'):
        b.recv_bytes_into(bytearray(3), -1)
    with pytest.raises(ValueError, match='^offset too large$'):
        b.recv_bytes_into(bytearray(3), 4)
    assert not b.poll(0)


def test_recv_bytes_into_too_short(mpmod, duplex):
    a, b = duplex
    buf = bytearray(4)
    a.send_bytes(b'0123456789')
    with pytest.raises(mpmod.BufferTooShort) as info:
        b.recv_bytes_into(buf)
    assert isinstance(info.value, mpmod.ProcessError)
    assert info.value.args == (b'0123456789',)  # the whole message
    assert not b.poll(0)  # and it was consumed
    a.send_bytes(b'0123')
    with pytest.raises(mpmod.BufferTooShort) as info:
        b.recv_bytes_into(buf, 1)
    assert info.value.args[0] == b'0123'
    a.send('next')
    assert recv(b) == 'next'


def test_large_messages(duplex):
    """Bigger than any pipe/socket buffer: the writer must be concurrent."""
    a, b = duplex
    big = bytes(range(256)) * (5 * 1024)  # 1.25 MiB
    obj = {'payload': big, 'n': 70_000}
    join = in_thread(lambda: (a.send_bytes(big), a.send(obj), a.send_bytes(big, 70_000)))
    try:
        assert b.recv_bytes() == big
        assert recv(b) == obj
        assert b.recv_bytes() == big[70_000:]
    finally:
        join()


def test_large_message_into_buffer(duplex):
    a, b = duplex
    big = b'z' * (200 * 1024)
    join = in_thread(a.send_bytes, big)
    buf = bytearray(len(big) + 16)
    try:
        assert b.recv_bytes_into(buf, 16) == len(big)
    finally:
        join()
    assert buf[16:] == big


# -- poll -----------------------------------------------------------------------


def test_poll(duplex):
    a, b = duplex
    assert b.poll() is False  # poll() does not block
    assert b.poll(0) is False
    assert b.poll(0.05) is False
    a.send(1)
    assert b.poll(TIMEOUT) is True
    assert b.poll(None) is True  # data is there: returns at once
    assert b.poll() is True
    assert b.recv() == 1
    assert b.poll(0) is False


def test_poll_none_waits_for_data(duplex):
    a, b = duplex
    join = in_thread(b.poll, None)
    a.send('wake up')
    assert join() is True
    assert b.recv() == 'wake up'


def test_poll_negative_timeout_does_not_block(duplex):
    a, b = duplex
    assert b.poll(-1) is False


# -- end of stream, closing -----------------------------------------------------


def test_eof_after_other_end_closed(mpmod):
    a, b = mpmod.Pipe()
    a.send('last')
    a.close()
    assert b.poll(TIMEOUT) is True
    assert b.recv() == 'last'
    assert b.poll(0) is True  # end of stream counts as readable
    with pytest.raises(EOFError):
        b.recv()
    with pytest.raises(EOFError):
        b.recv_bytes()
    with pytest.raises(EOFError):
        b.recv_bytes_into(bytearray(8))
    with pytest.raises(BrokenPipeError):
        b.send('nobody listens')
    b.close()


def test_eof_simplex(mpmod):
    r, w = mpmod.Pipe(duplex=False)
    w.close()
    with pytest.raises(EOFError):
        r.recv()
    r.close()
    r, w = mpmod.Pipe(duplex=False)
    r.close()
    with pytest.raises(BrokenPipeError):
        w.send_bytes(b'x')
    w.close()


def test_closed_connection(mpmod):
    a, b = mpmod.Pipe()
    assert a.closed is False
    a.close()
    assert a.closed is True
    a.close()  # twice is fine
    for call, args in (
        (a.fileno, ()),
        (a.send, (1,)),
        (a.recv, ()),
        (a.send_bytes, (b'x',)),
        (a.recv_bytes, ()),
        (a.recv_bytes_into, (bytearray(1),)),
        (a.poll, ()),
    ):
        with pytest.raises(OSError, match='^handle is closed$'):
            call(*args)
    b.close()


def test_dropped_connection_closes_its_end(mpmod):
    import gc

    a, b = mpmod.Pipe()
    del a
    gc.collect()
    with pytest.raises(EOFError):
        b.recv()
    b.close()


def test_context_manager(mpmod):
    a, b = mpmod.Pipe()
    with a as entered, b:
        assert entered is a
        a.send('inside')
        assert recv(b) == 'inside'
    assert a.closed and b.closed


def test_connection_from_fd(mpmod):
    import socket

    s1, s2 = socket.socketpair()
    a = connection_module(mpmod).Connection(s1.detach())
    b = connection_module(mpmod).Connection(s2.detach(), readable=True, writable=True)
    with a, b:
        a.send([1])
        assert recv(b) == [1]
    with pytest.raises(ValueError):
        connection_module(mpmod).Connection(-1)
    s1, s2 = socket.socketpair()
    try:
        with pytest.raises(ValueError):
            connection_module(mpmod).Connection(s1.fileno(), readable=False, writable=False)
    finally:
        s1.close()
        s2.close()


def test_fds_are_not_inheritable(mpmod):
    """Like the stdlib's, a pipe's descriptors are close-on-exec, so an
    unrelated child program does not keep the pipe open."""
    import multiprocessing
    import os

    for duplex in (True, False):
        ends = mpmod.Pipe(duplex)
        std_ends = multiprocessing.Pipe(duplex)
        try:
            assert [os.get_inheritable(c.fileno()) for c in ends] == [
                os.get_inheritable(c.fileno()) for c in std_ends
            ]
        finally:
            for c in (*ends, *std_ends):
                c.close()


def test_misuse_errors_match_the_stdlib(mpmod):
    import multiprocessing

    def error_of(mod, action):
        a, b = mod.Pipe()
        try:
            action(a, b)
        except Exception as exc:  # noqa: BLE001
            return type(exc)
        finally:
            a.close()
            b.close()
        return None

    actions = {
        'send_bytes(str)': lambda a, b: a.send_bytes('text'),
        'send_bytes(int)': lambda a, b: a.send_bytes(12),
        'recv_bytes_into(bytes)':
            lambda a, b: (a.send_bytes(b'xy'), b.recv_bytes_into(b'immutable')),
        'recv_bytes(maxlength=str)': lambda a, b: (a.send_bytes(b'xy'), b.recv_bytes('3')),
    }
    for name, action in actions.items():
        std = error_of(multiprocessing, action)
        assert std is not None, name
        assert error_of(mpmod, action) is std, name


def test_garbage_message_fails_like_the_stdlib(mpmod):
    import multiprocessing

    def error_of(mod):
        a, b = mod.Pipe()
        try:
            a.send_bytes(b'this is not a pickle')
            b.recv()
        except Exception as exc:  # noqa: BLE001
            return type(exc)
        finally:
            a.close()
            b.close()
        return None

    assert error_of(multiprocessing) is not None
    assert error_of(mpmod) is error_of(multiprocessing)


# -- across processes -----------------------------------------------------------


def test_connection_as_process_argument(mp):
    """Both ends travel to the child (pickled under spawn)."""
    a, b = mp.Pipe()
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=targets.send_through, args=(b, 'one', {'two': 2}, b'three'))
    q = mp.Process(target=targets.send_bytes_through, args=(w, b'raw'))
    p.start()
    q.start()
    b.close()
    w.close()
    try:
        assert [recv(a) for _ in range(3)] == ['one', {'two': 2}, b'three']
        assert r.poll(TIMEOUT) and r.recv_bytes() == b'raw'
        with pytest.raises(EOFError):
            # the child closed its end and exited: no writer left
            a.poll(TIMEOUT)
            a.recv()
    finally:
        p.join(TIMEOUT)
        q.join(TIMEOUT)
        a.close()
        r.close()
    assert (p.exitcode, q.exitcode) == (0, 0)


def test_echo_round_trips(mp):
    a, b = mp.Pipe()
    p = mp.Process(target=targets.echo_until_none, args=(b,))
    p.start()
    b.close()
    big = b'q' * 100_000
    try:
        for obj in (1, 'two', [3], big):
            a.send(obj)
            assert recv(a) == obj
        a.send(None)
    finally:
        p.join(TIMEOUT)
        a.close()
    assert p.exitcode == 0
