"""Which child is being started right now: the "spawning popen".

Pickling a lock, a ``Value`` or a connection means different things at
different moments.  While a spawned child is being started, its ``Popen``
writes the ``Process`` object (and everything its arguments hold) into the
child's start-up pickle, and the file descriptors go along with the child
(``pass_fds``): a lock may travel then, and so may the authkey.  At any other
moment (a ``Queue.put``, a manager call) the same pickle would reach a process
that has none of those descriptors, so the objects refuse.

The note is per thread, because two threads may start two children at once.
``popen_spawn`` sets it around pickling; ``reduction.DupFd``,
``process.AuthenticationString`` and every ``__getstate__`` that calls
``assert_spawning`` read it.  It lives in this small module of its own, at the
bottom of the library, so that those low-level readers do not have to import
the context facade (``teachmp.context`` re-exports the three functions under
the stdlib's names).
"""

import threading

_spawning = threading.local()


def get_spawning_popen():
    """The ``Popen`` starting a child in this thread right now, or None."""
    return getattr(_spawning, 'popen', None)


def set_spawning_popen(popen):
    """Called by a ``Popen`` around pickling the child's start-up data."""
    _spawning.popen = popen


def assert_spawning(obj):
    """Refuse to pickle ``obj`` unless a child process is being started."""
    if get_spawning_popen() is None:
        raise RuntimeError(
            '%s objects should only be shared between processes through '
            'inheritance' % type(obj).__name__)


class AuthenticationString(bytes):
    """Bytes that refuse to be pickled except while starting a child.

    The authkey is a shared secret; letting it slip into an ordinary pickle
    (a queue, a log, a file) would leak it.  Spawning a child is the one
    moment it must travel, and the note above says when that is.
    """

    def __reduce__(self):
        if get_spawning_popen() is None:
            raise TypeError(
                'Pickling an AuthenticationString object is disallowed for '
                'security reasons')
        return AuthenticationString, (bytes(self),)
