"""Small helpers for file descriptors: close them, pass them to a new program.

A file descriptor is an index into a table the kernel keeps per process.
Python marks the descriptors it opens *non-inheritable* (PEP 446): a program
started with ``exec`` does not see them, unless they are named explicitly.
``spawnv_passfds`` starts a program that sees exactly the descriptors it is
given, under the same numbers -- with ``posix_spawn`` and one ``dup2(fd,
fd)`` action per descriptor (a dup2 onto itself clears the close-on-exec
flag in the new program only), the same technique ``popen_spawn`` uses to
start a spawned child.

``close_all_fds_except`` closes every other descriptor of *this* process,
between the kept ones, with ``os.closerange``: what a freshly forked server
does so that it holds no pipe end that its parent's peers wait on.

``is_abstract_socket_namespace`` tells a Linux *abstract* Unix-socket name (it
starts with a NUL byte and exists only in the kernel, no file) from a path.
"""

import os
import sys

try:
    MAXFD = os.sysconf('SC_OPEN_MAX')
except (AttributeError, ValueError, OSError):
    MAXFD = 256

abstract_sockets_supported = sys.platform == 'linux'


def close_all_fds_except(fds):
    """Close every descriptor of this process except those in ``fds``."""
    keep = sorted(set(fds) | {-1, MAXFD})
    for low, high in zip(keep, keep[1:]):
        os.closerange(low + 1, high)


def spawnv_passfds(path, args, passfds):
    """Start ``path`` with argv ``args``, passing exactly ``passfds``; return its pid.

    Standard input, output and error are inherited as usual.  The caller
    waits for the child (``os.waitpid``).
    """
    passfds = sorted(map(int, passfds))
    actions = [(os.POSIX_SPAWN_DUP2, fd, fd) for fd in passfds]
    return os.posix_spawn(path, list(args), os.environ, file_actions=actions)


def is_abstract_socket_namespace(address):
    """True if ``address`` names a Linux abstract Unix socket (leading NUL)."""
    if not address:
        return False
    if isinstance(address, bytes):
        return address[0] == 0
    if isinstance(address, str):
        return address[0] == '\0'
    raise TypeError(f'address type of {address!r} unrecognized')


class FdCloser:
    """Close some file descriptors when this object is garbage collected.

    An object that owns descriptors keeps one of these; when the last
    reference goes, so do the descriptors.  ``os.close`` is bound as a default
    argument because at interpreter exit module globals may already be None.
    """

    def __init__(self, *fds):
        self.fds = fds

    def __del__(self, _close=os.close):
        for fd in self.fds:
            try:
                _close(fd)
            except OSError:
                pass

    def __repr__(self):
        return '<FdCloser fds=%r>' % (self.fds,)


def close_fds(*fds):
    """Close each descriptor, ignoring those already closed."""
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def two_pipes():
    """Two pipes, ``(r1, w1, r2, w2)``; if the second cannot be made (EMFILE,
    say), the first is closed again before the error goes up."""
    r1, w1 = os.pipe()
    try:
        r2, w2 = os.pipe()
    except OSError:
        close_fds(r1, w1)
        raise
    return r1, w1, r2, w2
