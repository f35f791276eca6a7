"""Pickling for processes: ordinary pickle, plus rules for OS resources.

Everything teachmp sends -- a message on a ``Connection``, the ``Process``
object handed to a spawned child -- goes through ``ForkingPickler``, a
``pickle.Pickler`` with an extra table of *reducers* for types that ordinary
pickle cannot or must not handle.  The format is plain pickle at the stdlib's
default protocol, so a stdlib process can read what teachmp writes.

The interesting case is an object that wraps a file descriptor, such as a
``Connection`` or a ``socket``.  An fd is a number that only means something
inside one process, so the descriptor itself must travel, not the number.
``DupFd(fd)`` picks one of two ways:

* while a spawned child is being started, ``popen_spawn`` passes the listed
  fds to the new interpreter *under the same numbers* (``pass_fds`` style,
  with ``posix_spawn`` dup2 actions), so pickling only records the number;
* to a process that is already running (through a pipe, a queue, a
  manager), the kernel must copy the descriptor: ``sendfds``/``recvfds``
  move descriptors over a Unix socket as ``SCM_RIGHTS`` ancillary data, and
  ``teachmp.resource_sharer`` hands each one out on demand to whoever
  unpickles it.

``AbstractReducer`` is the stdlib's bundle of these functions, for code that
plugs its own reduction module into a context (``ctx.reducer = ...``).
"""

import abc
import array
import collections
import copyreg
import io
import pickle
import socket
import sys

from teachmp import spawning

__all__ = ['send_handle', 'recv_handle', 'ForkingPickler', 'register', 'dump',
           'DupFd', 'sendfds', 'recvfds']

HAVE_SEND_HANDLE = hasattr(socket, 'SCM_RIGHTS')
# macOS may drop descriptors in flight if the sender closes them too early;
# there the receiver confirms each batch with one byte.
ACKNOWLEDGE = sys.platform == 'darwin'


class ForkingPickler(pickle.Pickler):
    """A Pickler that also knows the reducers registered with ``register``."""

    _extra_reducers = {}
    # Looked up only for types pickle has no built-in fast path for; ours
    # first, then whatever copyreg knows.  One shared view, no per-call copy.
    # pickle.Pickler reads ``dispatch_table`` from the instance, which finds
    # this class attribute: nothing to set up per pickler.
    dispatch_table = collections.ChainMap(_extra_reducers, copyreg.dispatch_table)
    loads = staticmethod(pickle.loads)

    @classmethod
    def register(cls, type, reduce):
        """Pickle instances of ``type`` with ``reduce(obj)``."""
        cls._extra_reducers[type] = reduce

    @classmethod
    def dumps(cls, obj, protocol=None):
        """Pickle ``obj`` with the extra reducers; return the bytes (a memoryview)."""
        buf = io.BytesIO()
        cls(buf, protocol).dump(obj)
        return buf.getbuffer()


register = ForkingPickler.register


def dump(obj, file, protocol=None):
    """Pickle ``obj`` to the open binary ``file`` with ``ForkingPickler``."""
    ForkingPickler(file, protocol).dump(obj)


# -- descriptors over a Unix socket ---------------------------------------------

def sendfds(sock, fds):
    """Send the descriptors ``fds`` over the Unix socket ``sock``.

    One data byte (the count, modulo 256) carries the ``SCM_RIGHTS`` message:
    the kernel installs a copy of each descriptor in the receiving process.
    """
    fds = array.array('i', fds)
    sock.sendmsg([bytes([len(fds) % 256])],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
    if ACKNOWLEDGE and sock.recv(1) != b'A':
        raise RuntimeError('did not receive acknowledgement of fd')


def recvfds(sock, size):
    """Receive ``size`` descriptors sent by ``sendfds``; return them as a list."""
    fds = array.array('i')
    room = socket.CMSG_SPACE(size * fds.itemsize)
    msg, ancdata, _flags, _addr = sock.recvmsg(1, room)
    if not msg and not ancdata:
        raise EOFError
    try:
        if ACKNOWLEDGE:
            sock.send(b'A')
        if len(ancdata) != 1:
            raise RuntimeError('received %d items of ancdata' % len(ancdata))
        level, kind, data = ancdata[0]
        if level != socket.SOL_SOCKET or kind != socket.SCM_RIGHTS:
            raise RuntimeError('Invalid data received')
        if len(data) % fds.itemsize:
            raise ValueError('invalid descriptor data length')
        fds.frombytes(data)
        if len(fds) % 256 != msg[0]:
            raise AssertionError('Len is {0:n} but msg[0] is {1!r}'
                                 .format(len(fds), msg[0]))
        return list(fds)
    except (ValueError, IndexError):
        pass
    raise RuntimeError('Invalid data received')


def send_handle(conn, handle, destination_pid):
    """Send the descriptor ``handle`` over ``conn`` (a Unix-socket Connection)."""
    with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as s:
        # fromfd dups the descriptor, and a dup shares its flags: under
        # socket.setdefaulttimeout() the new socket object would make the
        # Connection itself non-blocking.  Keep both blocking.
        s.setblocking(True)
        sendfds(s, [handle])


def recv_handle(conn):
    """Receive one descriptor sent by ``send_handle``."""
    with socket.fromfd(conn.fileno(), socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.setblocking(True)     # as in send_handle
        return recvfds(s, 1)[0]


class _PassedFd:
    """A descriptor passed to a spawned child under the same number."""

    def __init__(self, fd):
        self.fd = fd

    def detach(self):
        # Under forkserver the fd came by SCM_RIGHTS with a new number, and
        # what was pickled is its position in the list the child received.
        # (Looked up, not imported: only a fork server's child has it.)
        fs = sys.modules.get('teachmp.forkserver_main')
        inherited = fs._inherited_fds if fs is not None else None
        if inherited is not None:
            return inherited[self.fd]
        return self.fd

    def __repr__(self):
        return '<%s fd=%d>' % (type(self).__name__, self.fd)


def DupFd(fd):
    """Return a picklable object whose ``detach()`` gives the receiver a copy of ``fd``."""
    popen = spawning.get_spawning_popen()
    if popen is not None:
        return _PassedFd(popen.duplicate_for_child(fd))
    from teachmp import resource_sharer
    return resource_sharer.DupFd(fd)


# -- sockets ----------------------------------------------------------------------

def _reduce_socket(s):
    return _rebuild_socket, (DupFd(s.fileno()), s.family, s.type, s.proto)


def _rebuild_socket(df, family, type, proto):
    return socket.socket(family, type, proto, fileno=df.detach())


register(socket.socket, _reduce_socket)


# -- methods and partials (as the stdlib's reducer registers them) --------------

def _reduce_method(m):
    if m.__self__ is None:
        return getattr, (m.__class__, m.__func__.__name__)
    return getattr, (m.__self__, m.__func__.__name__)


def _reduce_method_descriptor(m):
    return getattr, (m.__objclass__, m.__name__)


def _reduce_partial(p):
    return _rebuild_partial, (p.func, p.args, p.keywords or {})


def _rebuild_partial(func, args, keywords):
    import functools
    return functools.partial(func, *args, **keywords)


class AbstractReducer(metaclass=abc.ABCMeta):
    """The reduction functions as one object, to plug into a context.

    A subclass may replace any of them; ``ctx.reducer = MyReducer()`` then
    makes that context use it.
    """
    ForkingPickler = ForkingPickler
    register = register
    dump = dump
    send_handle = send_handle
    recv_handle = recv_handle
    sendfds = sendfds
    recvfds = recvfds
    DupFd = DupFd
    _reduce_method = _reduce_method
    _reduce_method_descriptor = _reduce_method_descriptor
    _rebuild_partial = _rebuild_partial
    _reduce_socket = _reduce_socket
    _rebuild_socket = _rebuild_socket

    def __init__(self, *args):
        import functools

        class _C:
            def f(self):
                pass
        copyreg.pickle(type(_C().f), _reduce_method)
        copyreg.pickle(type(list.append), _reduce_method_descriptor)
        copyreg.pickle(type(int.__add__), _reduce_method_descriptor)
        copyreg.pickle(functools.partial, _reduce_partial)
        copyreg.pickle(socket.socket, _reduce_socket)
