"""What each recorded event says: the arguments (``args``) of a trace event.

``teachmp.trace`` wraps the blocking methods (its list ``_HOOKS``); each
wrapper asks a function here what to write down about the call -- which
connection, which lock, which child.  They are apart from the wrapping
because they are the other half of a contract: ``teachmp.trace_analysis``
reads exactly these fields back, and a field renamed here must be renamed
there.

* ``pipe`` (the pipe's inode) says who is at the other end of a connection,
  and ``msg`` (size and checksum) pairs a ``send`` with the ``recv`` that got
  the same message: the message arrows and the waits on a pipe.
* ``lock`` (the inode of the lock's pipe) and ``ok`` find who held a lock
  and which ``release`` let an ``acquire`` through: the hand-off arrows.
* ``child`` and ``exitcode`` tie a ``start`` or ``join`` to the child's own
  lane, and say when a child was reaped (the zombie time).

Each function gets the wrapped method's ``self`` and arguments (a *describe*
function, for the begin or instant event) or ``self`` and the value it
returned (a *result* function, for the end event), and returns a dict that
``json`` can write.  They run inside the call they describe, so they only
read what is at hand (an attribute, one ``fstat``) and never wait.
"""

import os
import sys
import zlib


def inode(fd):
    """What names the pipe (or file) behind ``fd``: "device:inode", or None."""
    try:
        st = os.fstat(fd)
        return '%x:%x' % (st.st_dev, st.st_ino)
    except (OSError, TypeError):
        return None


def digest(data):
    """A message's fingerprint: its size and a checksum of its start."""
    # Enough to pair a send with its receive: size plus a checksum of the
    # first 4 KiB (cheap, and two different messages rarely agree on both).
    view = memoryview(data).cast('B')
    return '%d:%08x' % (view.nbytes, zlib.crc32(view[:4096]))


def conn(self, *a, **k):
    """A connection's descriptor and the pipe behind it."""
    return {'fd': self._handle, 'pipe': inode(self._handle)}


def sent(self, view, *a, **k):
    """Before ``_send_bytes``: the connection, and the message's size and fingerprint."""
    return dict(conn(self), bytes=memoryview(view).nbytes, msg=digest(view))


def received(self, value):
    """After ``_recv_bytes``: the message's size and fingerprint (none: over maxsize)."""
    if value is None:
        return {}
    return {'bytes': len(value), 'msg': digest(value)}


def lock(self, *a, **k):
    """Which lock (the inode of its pipe) and its class."""
    return {'lock': inode(self._r), 'kind': type(self).__name__}


def acquired(self, value):
    """After ``acquire``: whether the lock was taken (False: a timeout)."""
    return {'ok': bool(value), 'lock': inode(self._r)}


def lock_created(self, *a, **k):
    """A new lock, and the line of the program that made it."""
    frame = sys._getframe(2)
    # the first frame outside teachmp is where the program made the lock
    while frame is not None and '/teachmp/' in frame.f_code.co_filename:
        frame = frame.f_back
    site = ('%s:%d' % (os.path.basename(frame.f_code.co_filename), frame.f_lineno)
            if frame is not None else '?')
    return {'lock': inode(self._r), 'kind': type(self).__name__, 'site': site}


def child(self, *a, **k):
    """Before ``start`` or ``join``: which process."""
    return {'name': self.name}


def started(self, value):
    """After ``start``: the child's pid and the start method that made it."""
    method = type(self._popen).__module__.rpartition('popen_')[2]
    return {'child': self.pid, 'name': self.name, 'method': method}


def joined(self, value):
    """After ``join``: the child and its exit code (None: still running)."""
    return {'child': self.pid, 'exitcode': self.exitcode}


def process_info(self, *a, **k):
    """A child's whole life begins: its name and its parent's pid."""
    return {'name': self.name, 'parent': os.getppid()}


def exited(self, value):
    """A child's life ends: the exit code ``_bootstrap`` returned."""
    return {'exitcode': value}


def proxy_call(self, methodname, *a, **k):
    """A proxy calls its manager: which method, on which object."""
    return {'method': methodname, 'id': getattr(self, '_id', None)}


def server_call(self, conn, ident, methodname, *a, **k):
    """The manager's server runs a call: which method, on which object."""
    return {'method': methodname, 'id': ident}


def nothing(self, *a, **k):
    """An event that needs no arguments."""
    return {}
