"""Listeners and clients: Connections between processes that are not related.

``Pipe()`` only works between a parent and the children it starts: both ends
exist before the fork.  A ``Listener`` instead binds a socket to an
*address* that any process can ``Client(address)`` to, even on another
machine -- and every accepted socket becomes an ordinary ``Connection``, with
the same message framing.

Addresses name their family: a ``(host, port)`` tuple is ``AF_INET`` (TCP); a
string is ``AF_UNIX``, a path in the file system (or, starting with a NUL
byte, a Linux *abstract* name that exists only in the kernel).  With no
address, a listener picks one: a fresh path in a private temporary directory
for ``AF_UNIX``, ``('localhost', 0)`` -- any free port -- for ``AF_INET``; the
``address`` attribute tells which.

With an ``authkey``, both ends run the HMAC handshake of ``teachmp.auth``
right after connecting, in both directions, before anything else is read.
Each handshake read has a deadline (``HANDSHAKE_TIMEOUT``, set as the
socket's receive timeout), so a peer that connects and says nothing makes
``accept`` fail with ``AuthenticationError`` instead of blocking the
listener forever.
"""

import os
import shutil
import socket
import struct
import tempfile

from teachmp import auth, util
from teachmp.connection import Connection
from teachmp.errors import AuthenticationError

BACKLOG = 500
HANDSHAKE_TIMEOUT = 20.0
families = ['AF_INET', 'AF_UNIX'] if hasattr(socket, 'AF_UNIX') else ['AF_INET']
default_family = 'AF_UNIX' if hasattr(socket, 'AF_UNIX') else 'AF_INET'
_temp_dir = None


def _get_temp_dir():
    """A private directory for this process's socket files, removed at exit."""
    global _temp_dir
    if _temp_dir is None or not os.path.isdir(_temp_dir):
        _temp_dir = tempfile.mkdtemp(prefix='teachmp-')
        from teachmp import log
        log.info('created temp directory %s', _temp_dir)
        util.register_exit_hook(shutil.rmtree, (_temp_dir, True), priority=-100)
    return _temp_dir


def arbitrary_address(family):
    """A fresh address for a ``Listener`` of ``family`` (a new socket path for AF_UNIX)."""
    if family == 'AF_INET':
        return ('localhost', 0)
    if family == 'AF_UNIX':
        return tempfile.mktemp(prefix='listener-', dir=_get_temp_dir())
    if family == 'AF_PIPE':     # a Windows named pipe; refused just below
        return r'\\.\pipe\teachmp'
    raise ValueError('unrecognized family')


def address_type(address):
    """The family an address belongs to, deduced from its shape."""
    if type(address) is tuple:
        return 'AF_INET'
    if type(address) is str and address.startswith('\\\\'):
        return 'AF_PIPE'
    if type(address) is str or util_is_abstract(address):
        return 'AF_UNIX'
    raise ValueError('address type of %r unrecognized' % (address,))


def util_is_abstract(address):
    """Is this a Linux abstract socket name (starting with a NUL byte)?"""
    if not address:
        return False
    if isinstance(address, bytes):
        return address[0] == 0
    if isinstance(address, str):
        return address[0] == '\0'
    raise TypeError('address type of %r unrecognized' % (address,))


def _validate_family(family):
    if family not in families:   # AF_PIPE too: Windows is out of scope
        raise ValueError('Family %s is not recognized.' % family)


class Listener:
    """A socket bound to ``address``; ``accept()`` returns a Connection."""

    def __init__(self, address=None, family=None, backlog=1, authkey=None):
        family = family or (address and address_type(address)) or default_family
        address = address or arbitrary_address(family)
        _validate_family(family)
        if authkey is not None and not isinstance(authkey, bytes):
            raise TypeError('authkey should be a byte string')
        self._family = family
        self._authkey = authkey
        self._socket = socket.socket(getattr(socket, family))
        try:
            # accept() must wait for a client, whatever the program gave
            # socket.setdefaulttimeout() (see Pipe in connection.py).
            self._socket.setblocking(True)
            if family == 'AF_INET' and os.name == 'posix':
                self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind(address)
            self._socket.listen(backlog)
            self._address = self._socket.getsockname()
        except OSError:
            self._socket.close()
            raise
        self._last_accepted = None
        # A socket file outlives its socket: remove it when we close.
        self._unlink = (address if family == 'AF_UNIX' and not util_is_abstract(address)
                        else None)

    def accept(self):
        """Wait for a client; authenticate it if there is an authkey."""
        if self._socket is None:
            raise OSError('listener is closed')
        s, self._last_accepted = self._socket.accept()
        # The accepted socket takes the default timeout, not the listener's
        # mode: make it blocking before a Connection reads it with os.read.
        s.setblocking(True)
        if not self._authkey:   # as the stdlib: an empty key means no handshake
            return Connection(s.detach())
        with _handshake_on_socket(s) as conn:
            auth.deliver_challenge(conn, self._authkey)
            auth.answer_challenge(conn, self._authkey)
        return conn

    def close(self):
        """Close the listening socket (and remove its socket file)."""
        sock, self._socket = self._socket, None
        if sock is not None:
            sock.close()
            if self._unlink is not None:
                try:
                    os.unlink(self._unlink)
                except OSError:
                    pass

    @property
    def address(self):
        """The address clients connect to."""
        return self._address

    @property
    def last_accepted(self):
        """The address of the last client accepted (None for AF_UNIX peers)."""
        return self._last_accepted

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        state = 'closed' if self._socket is None else 'listening'
        return '<Listener %s %r %s>' % (self._family, self._address, state)


def Client(address, family=None, authkey=None):
    """Connect to a Listener at ``address``; return a Connection."""
    family = family or address_type(address)
    _validate_family(family)
    with socket.socket(getattr(socket, family)) as s:
        s.setblocking(True)
        s.connect(address)
        # Checked after connecting, as the stdlib does: the listener then
        # sees this client arrive and leave, rather than wait for it.
        if authkey is not None and not isinstance(authkey, bytes):
            raise TypeError('authkey should be a byte string')
        if not authkey:
            return Connection(s.detach())
        with _handshake_on_socket(s) as conn:
            auth.answer_challenge(conn, authkey)
            auth.deliver_challenge(conn, authkey)
    return conn


class _handshake_on_socket:
    """``_handshake_deadline`` for a socket object we still hold.

    The same deadline, without the ``dup`` + new socket object + ``close``
    that ``_handshake_deadline`` needs (twice) to reach the option of a bare
    descriptor: it is set on the socket we have, the handshake runs on a
    Connection sharing its descriptor, and once the peer has proved itself
    the option is cleared and the socket object lets go of the descriptor
    (``detach``), which the Connection then owns alone.
    """

    def __init__(self, sock):
        self.sock = sock

    def __enter__(self):
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                             _timeval(HANDSHAKE_TIMEOUT))
        self.conn = Connection(self.sock.fileno())
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                                 _timeval(0))
            self.sock.detach()
            return False
        self.sock.detach()
        self.conn.close()
        if issubclass(exc_type, (BlockingIOError, TimeoutError)):
            raise AuthenticationError(
                'the peer did not complete the authentication handshake '
                'within %s seconds' % HANDSHAKE_TIMEOUT) from exc
        return False


def _timeval(seconds):
    return struct.pack('ll', int(seconds), int(seconds % 1 * 1e6))


class _handshake_deadline:
    """Give each read of the handshake at most HANDSHAKE_TIMEOUT seconds.

    ``SO_RCVTIMEO`` makes a blocking read on the socket fail with EAGAIN when
    nothing arrives in time; it applies to ``os.read`` too, which is what a
    Connection uses.  Cleared again once the peer has proved itself.
    """

    def __init__(self, conn):
        self.conn = conn

    def _set(self, seconds):
        with socket.socket(fileno=os.dup(self.conn.fileno())) as s:
            # The dup shares the descriptor's flags: a default timeout would
            # have just made the Connection non-blocking; undo that.
            s.setblocking(True)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                         struct.pack('ll', int(seconds), int(seconds % 1 * 1e6)))

    def __enter__(self):
        self._set(HANDSHAKE_TIMEOUT)

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.conn.close()
            if issubclass(exc_type, (BlockingIOError, TimeoutError)):
                raise AuthenticationError(
                    'the peer did not complete the authentication handshake '
                    'within %s seconds' % HANDSHAKE_TIMEOUT) from exc
            return False
        self._set(0)
        return False
