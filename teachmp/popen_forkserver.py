"""Starting a child with forkserver: ask the server, then feed the child.

The parent's side of the forkserver start method (the server is in
``teachmp.forkserver``).  Launching looks like spawn -- the preparation data
and the ``Process`` are pickled first, so an unpicklable target fails here,
before any child exists -- but the child is not started by us: the fork
server forks it, and tells us its pid through the sentinel pipe.

Two things differ from a child we forked ourselves:

* a descriptor that a pickled object needs cannot keep its number: it
  travels with ``SCM_RIGHTS`` and the kernel gives it the next free number
  in the server.  So ``duplicate_for_child`` records the fd and pickles its
  *position* in the list; the child looks the position up
  (``forkserver.get_inherited_fds()``, used by ``reduction.DupFd``).
* the child's parent is the server, so only the server can ``waitpid`` it.
  The server writes the exit code into the sentinel pipe; ``poll`` reads it
  from there.  If the server itself is killed the pipe ends without a code,
  and the exit code is 255, as in the stdlib.
"""

import os

from teachmp import forkserver
from teachmp.popen_fork import no_child_error
from teachmp.popen_spawn import Popen as _SpawnPopen, _write_all


class Popen(_SpawnPopen):
    """One child forked by the fork server on request; its exit code comes
    back through the sentinel pipe."""

    method = 'forkserver'

    def duplicate_for_child(self, fd):
        """Called while pickling: ``fd`` goes with the request, by position."""
        self._fds.append(fd)
        return len(self._fds) - 1

    def _launch(self, process_obj):
        data = self._pickle_for_child(process_obj)
        sentinel, parent_w = forkserver.connect_to_new_process(self._fds)
        self._keep_fds(sentinel, parent_w)
        try:
            self.pid = forkserver.read_signed(sentinel)
        except EOFError:
            self.close()
            raise RuntimeError(
                'the fork server closed the connection before starting the '
                'child (was it killed?); starting the process again starts a '
                'new server') from None
        if self.pid < 0:        # the server could not fork: its errno
            self.close()
            err = -self.pid
            raise no_child_error(OSError(err, os.strerror(err)), "the fork server's os.fork()")
        try:
            _write_all(parent_w, data.getbuffer())
        except BrokenPipeError:
            pass    # the child died early; its exit code will tell why

    def poll(self, flag=os.WNOHANG):
        """Return the exit code the server reported, or None if none yet."""
        if self.returncode is None:
            from teachmp.connection import wait
            if not wait([self.sentinel], None if flag == 0 else 0):
                return None
            try:
                self.returncode = forkserver.read_signed(self.sentinel)
            except (OSError, EOFError):
                self.returncode = 255   # the server died: no code will come
        return self.returncode
