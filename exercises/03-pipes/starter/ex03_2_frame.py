"""Exercise 03.2: frame messages exactly like multiprocessing's Connection.

On the wire every message is a header and then the payload.  The header is
the payload's length as a 4-byte big-endian *signed* integer; a length that
does not fit (more than 0x7fffffff) is sent as the 4-byte value -1 followed
by the length as an 8-byte big-endian *unsigned* integer.  Get it right and
a real ``multiprocessing.Pipe`` understands you (this is what
teachmp/connection.py does).
"""
import os
import pickle
import struct

SMALL_LIMIT = 0x7fffffff


def header(n):
    """The header that announces a payload of ``n`` bytes."""
    raise NotImplementedError('exercise 03.2: header()')


def frame(payload):
    """``payload`` (any bytes-like object) with its header in front, as bytes."""
    raise NotImplementedError('exercise 03.2: frame()')


def read_exact(source, n):
    """Read exactly ``n`` bytes from ``source``: a file descriptor (int) or a
    binary file object.  Reads may return fewer bytes than asked: loop.
    Raise ``EOFError`` if the end of the stream comes first."""
    raise NotImplementedError('exercise 03.2: read_exact()')


def read_frame(source):
    """Read one framed message from ``source`` and return its payload.

    The end of the stream *before* a frame raises ``EOFError`` (the other
    side has finished); the end of the stream *inside* a frame raises
    ``OSError`` (the message was cut short).
    """
    raise NotImplementedError('exercise 03.2: read_frame()')


def send_obj(fd, obj):
    """Pickle ``obj`` and write it, framed, to file descriptor ``fd``, like
    ``Connection.send``.  ``os.write`` may write less than asked: loop."""
    raise NotImplementedError('exercise 03.2: send_obj()')


def recv_obj(source):
    """Read one framed pickle from ``source`` and return the object, like
    ``Connection.recv``."""
    raise NotImplementedError('exercise 03.2: recv_obj()')
