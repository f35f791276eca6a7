"""Starting a child with ``os.fork()``: the whole start method in one class.

``fork`` copies the calling process: same memory (copy-on-write), same open
files, same position in the program.  The copy sees ``os.fork()`` return 0 and
runs ``process_obj._bootstrap()``; it never returns into the parent's code,
because it leaves with ``os._exit`` -- a normal exit would run the parent's
``atexit`` handlers and flush the parent's buffers a second time.

Two pipes are made before the fork, one for each direction of "are you still
there?":

* the child keeps the write end of the first; the parent's read end is the
  process *sentinel*, readable (EOF) as soon as the child is gone, however it
  died.  ``connection.wait`` can watch many sentinels at once.
* the parent keeps the write end of the second; the child's read end becomes
  readable when the parent dies, which is how ``parent_process().is_alive()``
  works without polling a pid that the kernel may have reused.

The exit status comes from ``os.waitpid``; ``os.waitstatus_to_exitcode``
turns "killed by signal 15" into ``-15``, the stdlib's convention.
"""

import errno
import os
import signal
import threading
import time
import weakref

from teachmp import log, util


# Held from the pipes' creation until the parent has closed the child's
# ends.  Without it, another thread forking at that moment (a Pool replacing
# a worker, say) would copy ``child_w`` into *its* child, and this child's
# sentinel would not fire until that other process exits too: join() would
# wait for the wrong process.
_CHILD_ENDS_IN_FLIGHT = threading.Lock()


def no_child_error(exc, call):
    """The OSError of a failed fork/posix_spawn, saying what ran out."""
    if exc.errno == errno.EAGAIN:
        why = ('this user has as many processes (threads included) as '
               'RLIMIT_NPROC allows (ulimit -u): wait for some to end, start '
               'fewer, or raise the limit')
    elif exc.errno == errno.ENOMEM:
        why = 'not enough memory for one more process'
    else:
        return exc
    return OSError(exc.errno, '%s could not start a child process: %s' % (call, why))


class Popen:
    """One child started by ``os.fork()``: its pid, sentinel and exit code."""

    method = 'fork'

    def __init__(self, process_obj):
        log.flush_std_streams()
        self.returncode = None
        self.finalizer = None
        self._launch(process_obj)

    def _launch(self, process_obj):
        with _CHILD_ENDS_IN_FLIGHT:
            # the sentinel (child's exit), then the child's view of our exit
            parent_r, child_w, child_r, parent_w = util.two_pipes()
            try:
                self.pid = os.fork()
            except OSError as exc:  # EAGAIN, ENOMEM: no child, no pipes
                util.close_fds(parent_r, child_w, child_r, parent_w)
                raise no_child_error(exc, 'os.fork()') from None
            if self.pid == 0:
                _CHILD_ENDS_IN_FLIGHT.release()     # our copy, for our children
                self._run_child(process_obj, child_r, (parent_r, parent_w))
            # ---- in the parent ----
            os.close(child_w)
            os.close(child_r)
        self._keep_fds(parent_r, parent_w)

    @staticmethod
    def _run_child(process_obj, parent_sentinel, parent_ends):
        """The child's side of the fork: run the process, never return."""
        code = 1
        try:
            for fd in parent_ends:
                os.close(fd)
            code = process_obj._bootstrap(parent_sentinel=parent_sentinel)
        finally:
            os._exit(code)

    def _keep_fds(self, sentinel, parent_w):
        """Hold our ends of the two pipes until close() or garbage collection."""
        self.sentinel = sentinel
        self.finalizer = weakref.finalize(self, util.close_fds, sentinel, parent_w)
        # Not at interpreter exit: exit_function still needs the sentinel
        # then, and the OS closes every fd when we are gone anyway.
        self.finalizer.atexit = False

    def poll(self, flag=os.WNOHANG):
        """Return the exit code, or None if the child is still running."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, flag)
                if pid == 0 and self._sentinel_fired():
                    pid, status = self._wait_for_exit_status()
            except ChildProcessError:
                return None     # reaped elsewhere (e.g. by a SIGCHLD handler)
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def _sentinel_fired(self):
        from teachmp.connection import wait
        return bool(wait([self.sentinel], 0))

    def _wait_for_exit_status(self, limit=0.5):
        # A dying process has its files closed (so the sentinel fires) a
        # moment before the kernel publishes its exit status.  Without this
        # short wait, "the sentinel says done" and "is_alive() says yes"
        # could both be true at once.
        deadline = time.monotonic() + limit
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid or time.monotonic() > deadline:
                return pid, status
            time.sleep(0.001)

    def wait(self, timeout=None):
        """Block until the child exits (or the timeout passes: return None)."""
        if self.returncode is None and timeout is not None:
            from teachmp.connection import wait
            if not wait([self.sentinel], timeout):
                return None
        # The sentinel fired (or no timeout): a blocking waitpid returns now.
        return self.poll(0) if self.returncode is None else self.returncode

    def _send_signal(self, sig):
        if self.returncode is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass            # already gone: nothing to stop

    def interrupt(self):
        """Send SIGINT (``Process.interrupt()``, Python 3.14)."""
        self._send_signal(signal.SIGINT)

    def terminate(self):
        """Send the child SIGTERM (if it is still running)."""
        self._send_signal(signal.SIGTERM)

    def kill(self):
        """Send the child SIGKILL (if it is still running)."""
        self._send_signal(signal.SIGKILL)

    def close(self):
        """Close the pipe ends kept for the child."""
        if self.finalizer is not None:
            self.finalizer()
