"""Pickling for processes: ordinary pickle, plus rules for OS resources.

Everything teachmp sends -- a message on a ``Connection``, the ``Process``
object handed to a spawned child -- goes through ``ForkingPickler``, a
``pickle.Pickler`` with an extra table of *reducers* for types that ordinary
pickle cannot or must not handle.  The format is plain pickle at the stdlib's
default protocol, so a stdlib process can read what teachmp writes.

The interesting case is an object that wraps a file descriptor, such as a
``Connection``.  An fd is a number that only means something inside one
process.  When a spawned child is being started, ``popen_spawn`` passes the
listed fds to the new interpreter *under the same numbers* (``pass_fds`` style,
with ``posix_spawn`` dup2 actions), so pickling only has to record the number
and remember to pass it: that is ``DupFd``.  Outside process start-up there is
no child to pass it to, and teachmp says so instead of sending a number that
would be meaningless on the other side.
"""

import collections
import copyreg
import io
import pickle
import sys

from teachmp import context


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
    def register(cls, type_, reduce_func):
        """Pickle instances of ``type_`` with ``reduce_func(obj)``."""
        cls._extra_reducers[type_] = reduce_func

    @classmethod
    def dumps(cls, obj, protocol=None):
        buf = io.BytesIO()
        cls(buf, protocol).dump(obj)
        return buf.getbuffer()


register = ForkingPickler.register


def dump(obj, file, protocol=None):
    """Pickle ``obj`` to the open binary ``file`` with ``ForkingPickler``."""
    ForkingPickler(file, protocol).dump(obj)


class DupFd:
    """A file descriptor on its way to a spawned child.

    Created while pickling; the child receives the fd under the same number,
    so ``detach()`` just hands the number back.
    """

    def __init__(self, fd):
        popen = context.get_spawning_popen()
        if popen is None:
            raise RuntimeError(
                'An object holding a file descriptor (such as a Connection) '
                'can only be sent to a child process as an argument of '
                'Process(...) when the child is started; teachmp cannot send '
                'file descriptors through a pipe or queue yet.')
        self.fd = popen.duplicate_for_child(fd)

    def detach(self):
        # Under forkserver the fd came by SCM_RIGHTS with a new number, and
        # what was pickled is its position in the list the child received.
        fs = sys.modules.get('teachmp.forkserver')
        inherited = fs.get_inherited_fds() if fs is not None else None
        if inherited is not None:
            return inherited[self.fd]
        return self.fd
