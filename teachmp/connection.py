"""Connections: whole messages over a byte stream, framed like the stdlib's.

A pipe or a socket carries a stream of bytes with no boundaries: two writes
of 10 bytes may arrive as one read of 20, or as reads of 3 and 17.  A
``Connection`` turns that stream into *messages* by putting a header before
each one:

    +----------------------+---------------------------+
    | length: 4 bytes,     | payload: ``length`` bytes |
    | big-endian, signed   |                           |
    +----------------------+---------------------------+

A payload too large for a signed 32-bit length (over 0x7fffffff bytes) is
announced by the length ``-1`` followed by the real length as 8 bytes,
big-endian, unsigned.  This is byte for byte what the stdlib writes, so a
teachmp ``Connection`` and a stdlib one can share a socket.  ``send`` and
``recv`` add pickle on top of ``send_bytes`` and ``recv_bytes``.

``Pipe()`` makes the two ends: a ``socketpair`` when both ends must read and
write, a plain ``os.pipe`` when one end only reads and the other only writes
(``duplex=False``).  Reads and writes are ``os.read``/``os.write`` on the file
descriptor, which works for both.

``wait`` watches several connections, sockets and process sentinels and
returns the ones that are ready, with ``select.poll``.
"""

import io
import math
import os
import select
import socket
import struct

from teachmp import reduction
from teachmp.errors import BufferTooShort

_HEADER = struct.Struct('!i')        # 4-byte big-endian signed length
_BIG_HEADER = struct.Struct('!Q')    # 8-byte unsigned length after a -1
_SMALL_MESSAGE = 16384               # below this, header+payload in one write
_PREALLOCATE_LIMIT = 64 * 1024 * 1024


class Connection:
    """One end of a pipe or socket that carries whole messages.

    ``handle`` is a file descriptor the Connection now owns (it closes it).
    """

    def __init__(self, handle, readable=True, writable=True):
        handle = handle.__index__()
        if handle < 0:
            raise ValueError('invalid handle')
        if not readable and not writable:
            raise ValueError(
                'at least one of `readable` and `writable` must be True')
        self._handle = handle
        self._readable = readable
        self._writable = writable

    def __del__(self):
        if getattr(self, '_handle', None) is not None:
            self._close()

    def __repr__(self):
        if self._handle is None:
            return '<Connection closed>'
        mode = ' '.join(m for m, ok in (('readable', self._readable),
                                        ('writable', self._writable)) if ok)
        return '<Connection fd=%d %s>' % (self._handle, mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- state -----------------------------------------------------------------

    @property
    def closed(self):
        """Whether ``close()`` was called."""
        return self._handle is None

    @property
    def readable(self):
        """Whether this end can receive."""
        return self._readable

    @property
    def writable(self):
        """Whether this end can send."""
        return self._writable

    def fileno(self):
        """The file descriptor this connection reads and writes."""
        self._check_closed()
        return self._handle

    def close(self):
        """Close the file descriptor (the other end then reads EOF)."""
        if self._handle is not None:
            try:
                self._close()
            finally:
                self._handle = None

    def _close(self, _close=os.close):
        # os.close bound early: __del__ may run when globals are gone.
        _close(self._handle)

    def _check_closed(self):
        if self._handle is None:
            raise OSError('handle is closed')

    def _check_readable(self):
        if not self._readable:
            raise OSError('connection is write-only')

    def _check_writable(self):
        if not self._writable:
            raise OSError('connection is read-only')

    # -- the public API ---------------------------------------------------------

    def send_bytes(self, buf, offset=0, size=None):
        """Send ``buf[offset:offset+size]`` (offset and size in bytes)."""
        self._check_closed()
        self._check_writable()
        view = memoryview(buf)
        if view.itemsize > 1:
            view = view.cast('B')
        n = view.nbytes
        if offset < 0:
            raise ValueError('offset is negative')
        if n < offset:
            raise ValueError('buffer length < offset')
        if size is None:
            size = n - offset
        elif size < 0:
            raise ValueError('size is negative')
        elif offset + size > n:
            raise ValueError('buffer length < offset + size')
        self._send_bytes(view[offset:offset + size])

    def send(self, obj):
        """Pickle ``obj`` and send it as one message.

        Pickling happens before anything is written, so an unpicklable object
        raises here and leaves the stream untouched.
        """
        self._check_closed()
        self._check_writable()
        self._send_bytes(reduction.ForkingPickler.dumps(obj))

    def recv_bytes(self, maxlength=None):
        """Receive one message as bytes; OSError if it exceeds ``maxlength``."""
        self._check_closed()
        self._check_readable()
        if maxlength is not None and maxlength < 0:
            raise ValueError('negative maxlength')
        buf = self._recv_bytes(maxlength)
        if buf is None:
            self._bad_message_length()
        return buf

    def recv_bytes_into(self, buf, offset=0):
        """Receive one message into ``buf`` at byte ``offset``; return its size.

        If it does not fit, raise ``BufferTooShort`` carrying the message.
        """
        self._check_closed()
        self._check_readable()
        with memoryview(buf) as view:
            target = view.cast('B') if view.itemsize > 1 else view
            if offset < 0:
                raise ValueError('negative offset')
            if offset > target.nbytes:
                raise ValueError('offset too large')
            message = self._recv_bytes()
            size = len(message)
            if target.nbytes < offset + size:
                raise BufferTooShort(message)
            target[offset:offset + size] = message
            return size

    def recv(self):
        """Receive one message and unpickle it."""
        self._check_closed()
        self._check_readable()
        return reduction.ForkingPickler.loads(self._recv_bytes())

    def poll(self, timeout=0.0):
        """Is a message (or EOF) waiting?  Wait up to ``timeout`` seconds."""
        self._check_closed()
        self._check_readable()
        return bool(wait([self._handle], timeout))

    def _bad_message_length(self):
        # The rest of the oversized message is still in the stream, so this
        # end can no longer find message boundaries: stop reading from it.
        if self._writable:
            self._readable = False
        else:
            self.close()
        raise OSError('bad message length')

    # -- framing ------------------------------------------------------------------

    def _send_bytes(self, view):
        n = len(view)
        if n > 0x7fffffff:
            self._send(_HEADER.pack(-1) + _BIG_HEADER.pack(n))
            self._send(view)
        elif n <= _SMALL_MESSAGE:
            # One write, one syscall: copying a small payload is cheaper than
            # a second trip into the kernel (and the reader wakes only once).
            self._send(_HEADER.pack(n) + view)
        else:
            self._send(_HEADER.pack(n))
            self._send(view)

    def _send(self, data):
        fd = self._handle
        remaining = len(data)
        written = os.write(fd, data)
        if written == remaining:
            return
        view = memoryview(data)
        while written < remaining:
            written += os.write(fd, view[written:])

    def _recv_bytes(self, maxsize=None):
        header = self._recv_exact(4)
        size, = _HEADER.unpack(header)
        if size == -1:
            size, = _BIG_HEADER.unpack(self._recv_exact(8))
        if maxsize is not None and size > maxsize:
            return None
        return self._recv_exact(size)

    def _recv_exact(self, size):
        """Read exactly ``size`` bytes, however the kernel splits them."""
        if size > _SMALL_MESSAGE:
            return _read_large(self._handle, size)    # a speed-up, see there
        data = os.read(self._handle, size)      # most messages: all of it
        while len(data) < size:
            chunk = os.read(self._handle, size - len(data))
            if not chunk:
                _eof(len(data))
            data += chunk
        return data


def _eof(bytes_read):
    # Like the stdlib: end-of-file before any byte of this read (header or
    # payload) is EOFError; end-of-file in the middle of one is OSError.
    if bytes_read == 0:
        raise EOFError
    raise OSError('got end of file during message')


# -- speed-up: large messages ---------------------------------------------------
# The loop in _recv_exact builds the result by joining chunks, and a pipe hands
# out at most 64 KiB per read, so 1 MiB would be 16 reads, 16 chunk objects
# and a new, growing bytes object each time.  For big messages two helpers do
# the same job with one copy: that is what lets a 1 MiB pipe stream run at the
# speed of the OS floor (benchmark ``pipe_stream``).

def _read_large(fd, size):
    if size > _PREALLOCATE_LIMIT:
        return _read_growing(fd, size)
    return _read_preallocated(fd, size)


def _read_preallocated(fd, size):
    # io.BufferedReader.read(n) reads straight into the bytes object it
    # returns, looping in C until n bytes arrived; with a 1-byte buffer it
    # never reads past the message.  One copy, kernel to result.
    reader = io.BufferedReader(io.FileIO(fd, 'rb', closefd=False),
                               buffer_size=1)
    data = reader.read(size)
    if data is None:
        # A receive timeout (SO_RCVTIMEO, set during the handshake) expired:
        # to BufferedReader that is "no data yet".
        raise BlockingIOError('timed out in the middle of a message')
    if len(data) < size:
        _eof(len(data))
    return data


def _read_growing(fd, size):
    # A huge announced length: grow as the bytes really arrive, so that a
    # lying header (four bytes from someone else) cannot make us allocate
    # gigabytes up front.
    chunks = []
    received = 0
    while received < size:
        chunk = os.read(fd, min(size - received, 1 << 20))
        if not chunk:
            _eof(received)
        chunks.append(chunk)
        received += len(chunk)
    return b''.join(chunks)


def _rebuild_connection(dup_fd, readable, writable):
    return Connection(dup_fd.detach(), readable, writable)


def _reduce_connection(conn):
    return _rebuild_connection, (reduction.DupFd(conn.fileno()),
                                 conn.readable, conn.writable)


reduction.register(Connection, _reduce_connection)


def Pipe(duplex=True):
    """Return ``(conn1, conn2)``, the two ends of a new pipe.

    With ``duplex=False``, ``conn1`` can only receive and ``conn2`` only send.
    """
    if duplex:
        s1, s2 = socket.socketpair()
        # A Connection reads and writes with plain os.read/os.write, which
        # must wait.  A socket made after socket.setdefaulttimeout(t) is
        # non-blocking at the OS level (Python emulates the timeout with
        # poll), and detach() keeps that flag: clear it before letting go.
        s1.setblocking(True)
        s2.setblocking(True)
        return Connection(s1.detach()), Connection(s2.detach())
    r, w = os.pipe()
    return Connection(r, writable=False), Connection(w, readable=False)


def _fileno(obj):
    return obj if isinstance(obj, int) else obj.fileno()


def wait(object_list, timeout=None):
    """Wait until some objects in ``object_list`` are ready; return those.

    An object is a ``Connection``, a socket, a process ``sentinel`` (an int)
    or anything with ``fileno()``.  "Ready" means a read would not block:
    data, EOF or an error.  ``timeout=None`` waits forever; on timeout the
    result is an empty list.
    """
    poller = select.poll()
    for obj in object_list:
        poller.register(_fileno(obj), select.POLLIN)
    if timeout is None:
        ms = None
    else:
        ms = max(0, math.ceil(timeout * 1000))
    ready = {fd for fd, _events in poller.poll(ms)}
    return [obj for obj in object_list if _fileno(obj) in ready]



# Listener, Client and the handshake live in their own modules
# (teachmp.listener, teachmp.auth) but belong to this namespace, as in the
# stdlib.  Loaded on first use, which also keeps them out of every child's
# start-up.
_ELSEWHERE = {'Listener': 'teachmp.listener', 'Client': 'teachmp.listener',
              'address_type': 'teachmp.listener', 'arbitrary_address': 'teachmp.listener',
              'families': 'teachmp.listener', 'default_family': 'teachmp.listener',
              'deliver_challenge': 'teachmp.auth', 'answer_challenge': 'teachmp.auth',
              'XmlListener': 'teachmp.xml_connection', 'XmlClient': 'teachmp.xml_connection',
              'ConnectionWrapper': 'teachmp.xml_connection'}


# The stdlib's module constants.  The handshake ones describe teachmp.auth;
# 3.12 made them private there (teachmp.compat says which names to show).
BUFSIZE = 8192
CONNECTION_TIMEOUT = 20.0
MESSAGE_LENGTH = 40          # teachmp always sends the modern challenge
_HANDSHAKE = ('CHALLENGE', 'WELCOME', 'FAILURE')


def _add_handshake_names():
    from teachmp import compat
    prefix = '' if compat.HANDSHAKE_NAMES_PUBLIC else '_'
    for name in _HANDSHAKE:
        _ELSEWHERE[prefix + name] = ('teachmp.auth', name)


_add_handshake_names()


def __getattr__(name):
    if name in _ELSEWHERE:
        target = _ELSEWHERE[name]
        if isinstance(target, tuple):       # published under another name
            import importlib
            return getattr(importlib.import_module(target[0]), target[1])
        import importlib
        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
