"""Starting a child with spawn: a fresh interpreter, fed through a pipe.

Where fork copies the parent, spawn starts ``sys.executable`` from scratch
and *sends* it what it needs.  The parent:

1. pickles the preparation data and the ``Process`` object into memory
   (so that an unpicklable target fails here, in the parent, before any child
   exists);
2. makes two pipes: one to send those pickles, one whose write end the child
   keeps so that its exit can be watched (the sentinel, as with fork);
3. starts the interpreter with ``os.posix_spawn``, passing exactly the file
   descriptors the child needs *under the same numbers*: each becomes a
   ``dup2(fd, fd)`` action, which clears close-on-exec for that one fd.  Every
   other descriptor of the parent is close-on-exec (Python's default), so the
   child inherits nothing by accident.

``posix_spawn`` rather than ``fork`` + ``exec``: it never copies the parent's
memory or runs Python code in a half-copied process, so it is safe even when
the parent has threads (which ``os.fork`` warns about since Python 3.12).
"""

import io
import os

from teachmp import reduction, spawn, stdlib_interop, util
from teachmp.popen_fork import Popen as _ForkPopen, no_child_error


class Popen(_ForkPopen):
    """One child started as a fresh interpreter (``posix_spawn``) that
    unpickles the process object it is sent."""

    method = 'spawn'

    def __init__(self, process_obj):
        self._fds = []
        super().__init__(process_obj)

    def duplicate_for_child(self, fd):
        """Called while pickling: ``fd`` must reach the child (same number)."""
        self._fds.append(fd)
        return fd

    # What the stdlib's reducers call as popen.DupFd(popen.duplicate_for_child(fd))
    # when a stdlib object is pickled for our child (see stdlib_interop).
    DupFd = reduction._PassedFd

    def _pickle_for_child(self, process_obj):
        """The preparation data and the Process, each prefixed by its length."""
        data = io.BytesIO()
        with stdlib_interop.spawning(self):
            for obj in (spawn.get_preparation_data(process_obj._name),
                        process_obj):
                # Release the view at once: a memoryview left in this frame
                # (kept alive by a traceback if the next dumps fails) pins
                # its BytesIO, which some Python versions cannot free.
                with reduction.ForkingPickler.dumps(obj) as blob:
                    data.write(spawn._LENGTH.pack(len(blob)))
                    data.write(blob)
        return data

    def _launch(self, process_obj):
        data = self._pickle_for_child(process_obj)
        # the pickles (later: parent alive?), then the sentinel (EOF when the
        # child ends); two_pipes closes the first if the second fails (EMFILE)
        child_r, parent_w, parent_r, child_w = util.two_pipes()
        try:
            passed = [child_r, child_w] + self._fds
            actions = [(os.POSIX_SPAWN_DUP2, fd, fd) for fd in passed]
            argv = spawn.get_command_line(child_r)
            self.pid = os.posix_spawn(argv[0], argv, os.environ,
                                      file_actions=actions)
        except BaseException as exc:
            util.close_fds(child_r, parent_w, parent_r, child_w)
            if isinstance(exc, OSError):
                raise no_child_error(exc, 'os.posix_spawn()') from None
            raise
        os.close(child_r)
        os.close(child_w)
        self._keep_fds(parent_r, parent_w)
        try:
            _write_all(parent_w, data.getbuffer())
        except BrokenPipeError:
            pass    # the child died early; its exit code will tell why


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
