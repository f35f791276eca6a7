"""Tests of exercise 03.2: framing, checked against a real multiprocessing.Pipe."""
import io
import multiprocessing as mp
import os
import struct
import threading

import pytest

pytestmark = [pytest.mark.ex03_2, pytest.mark.timeout(30)]

SIZES = [0, 1, 100, 16384, 16385, 1 << 20]
OBJECTS = [None, 42, 'héllo', b'\x00\xff', [1, 2.5, None], {'a': (1, 'b'), 'c': {3}}]


class Trickle:
    """A file object whose read() hands out one byte at a time."""

    def __init__(self, data):
        self.data = io.BytesIO(data)

    def read(self, n):
        return self.data.read(min(n, 1))


class Background:
    """Run func(*args) in a thread: a pipe holds only 64 KiB, so someone must
    write while someone else reads.  finish() returns the result (or raises
    what func raised); a thread still blocked when the test fails ends when
    the pipe fixture closes both ends."""

    def __init__(self, func, *args):
        self.result = self.error = None
        self.thread = threading.Thread(target=self._run, args=(func, args), daemon=True)
        self.thread.start()

    def _run(self, func, args):
        try:
            self.result = func(*args)
        except BaseException as exc:
            self.error = exc

    def finish(self):
        self.thread.join(10)
        assert not self.thread.is_alive(), 'the other side is still blocked'
        if self.error is not None:
            raise self.error
        return self.result


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


@pytest.fixture(params=[False, True], ids=['os.pipe', 'socketpair'])
def pipe(request):
    """A stdlib Pipe: (reader, writer) Connections; duplex=True is a socketpair."""
    a, b = mp.Pipe(duplex=request.param)
    yield a, b
    a.close()
    b.close()


@pytest.mark.parametrize('n, expected', [
    (0, b'\x00\x00\x00\x00'),
    (5, b'\x00\x00\x00\x05'),
    (0x01020304, b'\x01\x02\x03\x04'),
    (0x7fffffff, b'\x7f\xff\xff\xff'),
    (0x80000000, b'\xff\xff\xff\xff' + b'\x00\x00\x00\x00\x80\x00\x00\x00'),
    (1 << 40, b'\xff\xff\xff\xff' + b'\x00\x00\x01\x00\x00\x00\x00\x00'),
])
def test_header(ex, n, expected):
    assert ex.header(n) == expected


def test_frame_is_header_then_payload(ex):
    assert ex.frame(b'abc') == b'\x00\x00\x00\x03abc'
    assert ex.frame(bytearray(b'xy')) == b'\x00\x00\x00\x02xy'
    assert ex.frame(memoryview(b'')) == b'\x00\x00\x00\x00'
    assert type(ex.frame(bytearray(b'xy'))) is bytes


@pytest.mark.parametrize('size', SIZES)
def test_stdlib_reads_our_frames(ex, pipe, size):
    reader, writer = pipe
    payload = bytes(range(256)) * (size // 256) + b'z' * (size % 256)
    frame = ex.frame(payload)
    receiving = Background(reader.recv_bytes)
    write_all(writer.fileno(), frame)
    assert receiving.finish() == payload


@pytest.mark.parametrize('size', SIZES)
def test_we_read_stdlib_frames(ex, pipe, size):
    reader, writer = pipe
    payload = b'q' * size
    sending = Background(writer.send_bytes, payload)
    assert ex.read_frame(reader.fileno()) == payload
    sending.finish()


def test_read_frame_from_a_file_object(ex, pipe):
    reader, writer = pipe
    writer.send_bytes(b'first')
    writer.send_bytes(b'second')
    with open(reader.fileno(), 'rb', closefd=False) as f:
        assert ex.read_frame(f) == b'first'
        assert ex.read_frame(f) == b'second'


def test_read_exact_loops_over_short_reads(ex):
    assert ex.read_exact(Trickle(b'abcdef'), 4) == b'abcd'
    with pytest.raises(EOFError):
        ex.read_exact(Trickle(b'ab'), 3)
    assert ex.read_frame(Trickle(ex.frame(b'hello world'))) == b'hello world'


def test_long_header_form_is_understood(ex, pipe):
    # A sender may use the long form for a short message; the stdlib accepts it.
    long_form = struct.pack('!i', -1) + struct.pack('!Q', 3) + b'abc'
    assert ex.read_frame(io.BytesIO(long_form)) == b'abc'
    reader, writer = pipe
    write_all(writer.fileno(), long_form)
    assert reader.recv_bytes() == b'abc'


def test_frames_back_to_back_then_eof(ex):
    stream = io.BytesIO(ex.frame(b'a') + ex.frame(b'') + ex.frame(b'ccc'))
    assert [ex.read_frame(stream) for _ in range(3)] == [b'a', b'', b'ccc']
    with pytest.raises(EOFError):
        ex.read_frame(stream)


def test_eof_when_the_stdlib_writer_closes(ex, pipe):
    reader, writer = pipe
    writer.send_bytes(b'last words')
    writer.close()
    assert ex.read_frame(reader.fileno()) == b'last words'
    with pytest.raises(EOFError):
        ex.read_frame(reader.fileno())


@pytest.mark.parametrize('cut', [2, 4, 7])
def test_cut_message_is_an_oserror_not_eof(ex, cut):
    data = b'\x00\x00\x00\x05hello'[:cut]
    with pytest.raises(OSError):
        ex.read_frame(io.BytesIO(data))


@pytest.mark.parametrize('obj', OBJECTS, ids=repr)
def test_objects_both_ways(ex, pipe, obj):
    reader, writer = pipe
    ex.send_obj(writer.fileno(), obj)
    assert reader.recv() == obj
    writer.send(obj)
    assert ex.recv_obj(reader.fileno()) == obj


def test_send_obj_writes_the_same_bytes_as_connection_send(ex, pipe):
    reader, writer = pipe
    obj = {'key': [1, 2, 3], 'text': 'same bytes'}
    writer.send(obj)
    ours_expected = os.read(reader.fileno(), 1 << 16)
    ex.send_obj(writer.fileno(), obj)
    assert os.read(reader.fileno(), 1 << 16) == ours_expected


def test_large_object(ex, pipe):
    reader, writer = pipe
    obj = list(range(200_000))
    receiving = Background(reader.recv)
    ex.send_obj(writer.fileno(), obj)
    assert receiving.finish() == obj
