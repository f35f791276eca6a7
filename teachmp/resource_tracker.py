"""The resource tracker: unlink the shared memory a dead program left behind.

A ``SharedMemory`` block has a name in ``/dev/shm`` and outlives the process
that made it until somebody calls ``unlink()``.  A program that is killed
(SIGKILL, a crash, Ctrl-C at the wrong moment) never gets to, and the block
keeps its RAM until reboot.  The stdlib's answer, built here the same way, is
one small helper process per program tree that remembers every tracked name
and unlinks whatever is still registered when the program is gone.

How it knows the program is gone: the tracker reads a pipe, and only the
program's processes hold its write end.  The first process that needs the
tracker starts it (a fresh interpreter, as spawn starts a child) and keeps the
write end; a forked child inherits that descriptor, a spawned or forkserver
child receives it with its preparation data (``reduction.DupFd``).  When the
last of them exits -- cleanly or killed -- the kernel closes the last write
end and the tracker reads end-of-file.  No signal, no polling: the pipe *is*
the liveness check, the same trick as a process's sentinel (chapter 01).

The messages are lines ``REGISTER:/psm_1a2b:shared_memory`` and
``UNREGISTER:...``, each written with one ``os.write`` shorter than
``PIPE_BUF``, so lines from several processes never interleave.  At EOF the
tracker warns with the stdlib's text, naming the blocks, and unlinks them.

Semaphores need no tracker here: teachmp's locks are pipes and anonymous
shared memory (chapter 05), which the kernel frees with the last process
that holds them; only *named* objects can outlive their users.

``SharedMemory(track=False)`` (Python 3.13's opt-out) never talks to the
tracker.  As in the stdlib, attaching to a block also registers it: inside one
program tree that is harmless (the names form a set), but a process of a
*different* program that attaches removes the block when its own tracker
ends -- the reason ``track=False`` exists.
"""

import os
import signal
import sys
import threading
import warnings

from teachmp import compat, posixshm, util

_RTYPES = ('shared_memory',)
_MAX_MESSAGE = 512          # POSIX: writes up to PIPE_BUF (>= 512) are atomic


class ReentrantCallError(RuntimeError):
    """The tracker was called from inside itself (a finalizer run by the GC,
    a signal handler), in the same thread."""


class ResourceTracker:
    """The program's connection to its tracker process (one per process)."""

    def __init__(self):
        # An RLock, so that a call from inside ensure_running (a __del__ the
        # GC runs while we start the tracker) gets in and is refused, rather
        # than waiting forever for a lock its own thread holds.
        self._lock = threading.RLock()
        self._busy = False
        self._fd = None         # write end of the tracker's pipe
        self._pid = None        # the tracker's pid, in the process that started it
        self._owner = None      # ...and that process's pid (only it can reap)
        self._exitcode = None   # the tracker's exit code, once _stop() reaped it

    def __repr__(self):
        state = 'not running' if self._fd is None else 'fd=%d' % self._fd
        if self._pid is not None:
            state += ' pid=%d' % self._pid
        return '<ResourceTracker %s>' % state

    def getfd(self):
        """The write end of the tracker's pipe (the tracker is started if need be)."""
        self.ensure_running()
        return self._fd

    def ensure_running(self):
        """Start the tracker unless this process already reaches one."""
        with self._lock:
            if self._busy:
                raise _ReentrantCallError(
                    'Reentrant call into the multiprocessing resource tracker')
            self._busy = True
            try:
                self._ensure_running_locked()
            finally:
                self._busy = False

    def _ensure_running_locked(self):
        if self._fd is not None:
            if not self._died():
                return
            warnings.warn('resource_tracker: process died unexpectedly, '
                          'relaunching.  Some resources might leak.')
            util.close_fds(self._fd)
            self._fd = self._pid = self._owner = None
        self._start()

    def _died(self):
        if self._owner != os.getpid():
            return False        # not our child: trust the inherited pipe
        try:
            pid, _ = os.waitpid(self._pid, os.WNOHANG)
        except ChildProcessError:
            return True
        return pid != 0

    def _start(self):
        from teachmp import spawn
        r, w = os.pipe()
        try:
            argv = spawn.command_line('teachmp.resource_tracker', r)
            self._pid = util.spawnv_passfds(argv[0], argv, [r])
        except BaseException:
            util.close_fds(w)
            raise
        finally:
            os.close(r)
        self._fd, self._owner = w, os.getpid()

    def _stop(self):
        """Close our write end and wait for the tracker (tests use this)."""
        with self._lock:
            if self._fd is None:
                return
            util.close_fds(self._fd)
            self._fd = None
            if self._owner == os.getpid():
                try:
                    _, status = os.waitpid(self._pid, 0)
                    self._exitcode = os.waitstatus_to_exitcode(status)
                except ChildProcessError:
                    self._exitcode = None
            self._pid = self._owner = None

    def register(self, name, rtype):
        """Ask the tracker to unlink ``name`` if the program ends without it."""
        self._send('REGISTER', name, rtype)

    def unregister(self, name, rtype):
        """``name`` was unlinked: the tracker forgets it."""
        self._send('UNREGISTER', name, rtype)

    def _send(self, cmd, name, rtype):
        self.ensure_running()
        message = ('%s:%s:%s\n' % (cmd, name, rtype)).encode('ascii')
        if len(message) > _MAX_MESSAGE:
            raise ValueError('resource name too long for the tracker: %r' % name)
        os.write(self._fd, message)

    def inherit(self, fd):
        """In a spawned child: use the parent's tracker through ``fd``."""
        self._fd, self._pid, self._owner = fd, None, None


_ReentrantCallError = ReentrantCallError
if not compat.TRACKER_REENTRANT_ERROR:     # the public name is 3.11.6+
    del ReentrantCallError


def _after_fork(tracker):
    # The child shares the parent's pipe (good: one tracker per program)
    # but must not wait for a process that is not its child, and must not
    # inherit a lock some other thread of the parent held.
    tracker._lock = threading.RLock()
    tracker._busy = False


_resource_tracker = ResourceTracker()
util.register_after_fork(_resource_tracker, _after_fork)
ensure_running = _resource_tracker.ensure_running
register = _resource_tracker.register
unregister = _resource_tracker.unregister
getfd = _resource_tracker.getfd


def fd_for_child():
    """The tracker's pipe (started if need be), picklable for a spawned
    child: a ``reduction.DupFd``."""
    from teachmp import reduction
    return reduction.DupFd(_resource_tracker.getfd())


# -- the tracker process ----------------------------------------------------


def main(fd):
    """Read registrations until EOF, then unlink what is left.

    The exit code is the stdlib's: 0 if nothing was left, 1 if something
    leaked, 2 if a leftover could not be unlinked, 3 if a message was bad
    (CPython's test_concurrent_futures checks it after a failing pool).
    """
    exit_code = 0
    # Ctrl-C and "kill" aimed at the program's group must not stop the
    # tracker first: it is the one process that must outlive the others.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    registered = {rtype: set() for rtype in _RTYPES}
    with open(fd, 'rb') as pipe:
        for line in pipe:
            try:
                cmd, name, rtype = line.decode('ascii').rstrip('\n').split(':')
                names = registered[rtype]
                if cmd == 'REGISTER':
                    names.add(name)
                elif cmd == 'UNREGISTER':
                    names.discard(name)
                else:
                    raise ValueError('unknown command %r' % cmd)
            except (ValueError, KeyError, UnicodeDecodeError) as e:
                exit_code = 3
                print('resource_tracker: ignored %r: %s' % (line, e), file=sys.stderr)
    sys.exit(_clean_up(registered) or exit_code)


def _clean_up(registered):
    """Unlink the leftovers; return 1 if there were any, 2 if one failed, else 0."""
    exit_code = 0
    for rtype, names in registered.items():
        if not names:
            continue
        exit_code = max(exit_code, 1)
        message = ('resource_tracker: There appear to be %d leaked %s '
                   'objects to clean up at shutdown' % (len(names), rtype))
        if compat.SHM_TRACK_PARAM:      # 3.13 names them
            message += ': %r' % names
        warnings.warn(message)
        for name in sorted(names):
            try:
                posixshm.shm_unlink(name.lstrip('/'))
            except FileNotFoundError:
                pass    # unlinked by a process we did not hear from (a stdlib one)
            except OSError as e:
                exit_code = 2
                warnings.warn('resource_tracker: %r: %s' % (name, e))
    return exit_code
