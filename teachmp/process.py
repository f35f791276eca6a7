"""Process objects: the parent's handle on a child, and the child's view of itself.

A ``Process`` is created in the parent, configured (target, args, name,
daemon), then ``start()`` hands it to a *Popen* object that knows one start
method (``popen_fork`` or ``popen_spawn``).  From then on the parent talks to
the child only through that Popen: its pid, an exit status from
``os.waitpid``, and a *sentinel* file descriptor that becomes readable when
the child is gone.

In the child the same object (copied by fork, or unpickled after spawn) runs
``_bootstrap``: it becomes the *current* process, resets the bookkeeping it
inherited from its parent (the list of children, the name counter), calls
``run()`` and turns whatever happened into an exit code.

Names follow the stdlib: each process counts the children it creates, and a
child's identity is its parent's identity plus that count, so the second child
of ``Process-1`` is ``Process-1:2``.

What runs when a process ends (``_exit_function``: terminate the daemonic
children, join the others) and ``_cleanup_tests`` used to live here, next
to the children they join; they are in ``process_exit`` now.
"""

import itertools
import os
import signal
import sys

from teachmp import compat, log, util
from teachmp.spawning import AuthenticationString  # noqa: F401 (the stdlib's name)

# ---------------------------------------------------------------------------
# Per-process state.  After fork the child rebinds all of these in _bootstrap.
# ---------------------------------------------------------------------------

ORIGINAL_DIR = os.path.abspath(os.getcwd())
_children = set()                  # Process objects started here, not yet reaped
_process_counter = itertools.count(1)
_current_process = None            # set below to the _MainProcess
_parent_process = None


def current_process():
    """Return the Process object for the process running this code."""
    return _current_process


def parent_process():
    """Return the parent's Process object, or None in the main process."""
    return _parent_process


def active_children():
    """Return the live children of this process, reaping the finished ones.

    Asking each child whether it is alive calls ``waitpid`` with ``WNOHANG``,
    which is what removes a finished child from the kernel's process table:
    without it, finished children stay behind as zombies.
    """
    _cleanup()
    return list(_children)


def _cleanup():
    for p in list(_children):
        if p._popen.poll() is not None:
            _children.discard(p)


# Map "-15" back to "-SIGTERM" for reprs, as the stdlib does.
_exitcode_to_name = {-sig: '-' + sig.name for sig in signal.Signals}


# Python 3.14.1 made None the default of ``kwargs`` (and accepts it).
_NO_KWARGS = None if compat.PROCESS_KWARGS_NONE else {}


class BaseProcess:
    """The process API; a subclass supplies ``_Popen`` (the start method)."""

    _start_method = None

    @staticmethod
    def _Popen(process_obj):
        raise NotImplementedError

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=_NO_KWARGS,
                 *, daemon=None):
        assert group is None, 'group argument must be None for now'
        parent = _current_process
        self._identity = parent._identity + (next(_process_counter),)
        self._config = dict(parent._config)      # authkey and daemon flag
        self._parent_pid = os.getpid()
        self._parent_name = parent.name
        self._popen = None
        self._closed = False
        self._target = target
        self._args = tuple(args)
        if compat.PROCESS_KWARGS_NONE:
            self._kwargs = dict(kwargs) if kwargs else {}   # None: none
        else:
            self._kwargs = dict(kwargs)     # None: dict(None), TypeError
        self._name = name or '%s-%s' % (
            type(self).__name__, ':'.join(map(str, self._identity)))
        if daemon is not None:
            self.daemon = daemon

    def run(self):
        """What the child does; override it in a subclass, or pass target."""
        if self._target:
            self._target(*self._args, **self._kwargs)

    # -- life cycle, seen from the parent ------------------------------------

    def start(self):
        """Create the child process and make it call ``run()``."""
        self._check_closed()
        assert self._popen is None, 'cannot start a process twice'
        assert self._parent_pid == os.getpid(), \
            'can only start a process object created by current process'
        assert not _current_process._config.get('daemon'), \
            'daemonic processes are not allowed to have children'
        _cleanup()
        self._popen = self._Popen(self)
        self._sentinel = self._popen.sentinel
        # The child has its own copy now; drop ours so a big argument is not
        # kept alive in the parent for as long as the Process object lives.
        del self._target, self._args, self._kwargs
        _children.add(self)

    def join(self, timeout=None):
        """Wait until the child exits, or until ``timeout`` seconds pass."""
        self._check_closed()
        assert self._parent_pid == os.getpid(), 'can only join a child process'
        assert self._popen is not None, 'can only join a started process'
        if self._popen.wait(timeout) is not None:
            _children.discard(self)

    def is_alive(self):
        """Whether the child is still running (a finished child is reaped here)."""
        self._check_closed()
        if self is _current_process:
            return True
        assert self._parent_pid == os.getpid(), 'can only test a child process'
        if self._popen is None:
            return False
        if self._popen.poll() is None:
            return True
        _children.discard(self)
        return False

    def interrupt(self):
        """Send SIGINT, as Ctrl-C would (Python 3.14+).

        Python turns it into ``KeyboardInterrupt`` in the child; unless the
        child catches it, ``run()`` fails and the exit code is 1 -- not -2:
        the child dies of an exception, not of the signal.
        """
        self._check_closed()
        self._popen.interrupt()

    if not compat.API_3_14:     # only where the running Python has it
        del interrupt

    def terminate(self):
        """Ask the child to stop: SIGTERM, which Python turns into exit -15."""
        self._check_closed()
        self._popen.terminate()

    def kill(self):
        """Stop the child without asking: SIGKILL cannot be caught."""
        self._check_closed()
        self._popen.kill()

    def close(self):
        """Release the sentinel and Popen; only allowed once the child ended."""
        if self._popen is not None:
            if self._popen.poll() is None:
                raise ValueError(
                    'Cannot close a process while it is still running. '
                    'You should first call join() or terminate().')
            self._popen.close()
            self._popen = None
            del self._sentinel
            _children.discard(self)
        self._closed = True

    def _check_closed(self):
        if self._closed:
            raise ValueError('process object is closed')

    # -- attributes ------------------------------------------------------------

    @property
    def name(self):
        """The process's name: for reprs and logs, it need not be unique."""
        return self._name

    @name.setter
    def name(self, name):
        assert isinstance(name, str), 'name must be a string'
        self._name = name

    @property
    def daemon(self):
        """Whether the child is daemonic: terminated when its parent exits."""
        return self._config.get('daemon', False)

    @daemon.setter
    def daemon(self, daemonic):
        assert self._popen is None, 'process has already started'
        self._config['daemon'] = daemonic

    @property
    def authkey(self):
        """The secret shared by a process family (for the HMAC handshakes)."""
        return self._config['authkey']

    @authkey.setter
    def authkey(self, authkey):
        self._config['authkey'] = AuthenticationString(authkey)

    @property
    def exitcode(self):
        """None while running; the exit status, or -N if killed by signal N."""
        self._check_closed()
        if self._popen is None:
            return None
        return self._popen.poll()

    @property
    def ident(self):
        """The child's process id (None before ``start()``); ``pid`` is the same."""
        self._check_closed()
        if self is _current_process:
            return os.getpid()
        return self._popen and self._popen.pid

    pid = ident

    @property
    def sentinel(self):
        """A file descriptor that becomes readable when the child ends."""
        self._check_closed()
        try:
            return self._sentinel
        except AttributeError:
            raise ValueError('process not started') from None

    def __repr__(self):
        exitcode = None
        if self is _current_process:
            state = 'started'
        elif self._closed:
            state = 'closed'
        elif self._parent_pid != os.getpid():
            state = 'unknown'       # not our child: we cannot ask the kernel
        elif self._popen is None:
            state = 'initial'
        else:
            exitcode = self._popen.poll()
            state = 'started' if exitcode is None else 'stopped'
        parts = [type(self).__name__, 'name=%r' % self._name]
        if self._popen is not None:
            parts.append('pid=%s' % self._popen.pid)
        parts.append('parent=%s' % self._parent_pid)
        parts.append(state)
        if exitcode is not None:
            parts.append('exitcode=%s' % _exitcode_to_name.get(exitcode, exitcode))
        if self.daemon:
            parts.append('daemon')
        return '<%s>' % ' '.join(parts)

    # -- life cycle, seen from the child -------------------------------------

    def _bootstrap(self, parent_sentinel=None):
        """Run in the new child: become current, call run(), return exit code."""
        global _current_process, _parent_process, _process_counter, _children
        from teachmp import context
        try:
            if self._start_method is not None:
                context._force_start_method(self._start_method)
            _process_counter = itertools.count(1)
            _children = set()
            util.close_stdin()
            _current_process = self
            _parent_process = _ParentProcess(
                self._parent_name, self._parent_pid, parent_sentinel)
            util.run_after_fork_hooks()
            log.info('child process calling self.run()')
            try:
                self.run()
                exitcode = 0
            finally:
                if _EXIT_FUNCTION_IN_BOOTSTRAP:
                    util.exit_function()
        except SystemExit as e:
            exitcode = _exitcode_from_system_exit(e)
        except BaseException:
            exitcode = 1
            import traceback
            sys.stderr.write('Process %s:\n' % self.name)
            traceback.print_exc()
        finally:
            util.join_non_daemon_threads()
            log.info('process exiting with exitcode %d', exitcode)
            log.flush_std_streams()
            if not _EXIT_FUNCTION_IN_BOOTSTRAP:
                util.exit_function()
                log.flush_std_streams()
        return exitcode


# Up to 3.12 the stdlib's child cleans up (joins its own children, says
# "process shutting down") inside _bootstrap; 3.13 moved that to an atexit
# handler that runs after "process exiting".  Follow the running Python.
_EXIT_FUNCTION_IN_BOOTSTRAP = sys.version_info < (3, 13)


def _exitcode_from_system_exit(e):
    # sys.exit() -> 0, sys.exit(3) -> 3, sys.exit("message") -> print it, 1.
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code
    sys.stderr.write(str(e.code) + '\n')
    return 1


class _MainProcess(BaseProcess):
    """The process that started the program: no parent, a fresh authkey."""

    def __init__(self):
        self._identity = ()
        self._name = 'MainProcess'
        self._parent_pid = None
        self._popen = None
        self._closed = False
        self._config = {'authkey': AuthenticationString(os.urandom(32))}

    def close(self):
        pass


class _ParentProcess(BaseProcess):
    """A child's handle on its parent: it can only be watched, not controlled.

    ``sentinel`` is the read end of a pipe whose write end the parent keeps;
    when the parent dies the kernel closes that end and the read end becomes
    readable (EOF), so ``is_alive`` is a zero-timeout poll.
    """

    def __init__(self, name, pid, sentinel):
        self._identity = ()
        self._name = name
        self._pid = pid
        self._parent_pid = None
        self._popen = None
        self._closed = False
        self._sentinel = sentinel
        self._config = {}

    def is_alive(self):
        from teachmp.connection import wait
        return not wait([self._sentinel], timeout=0)

    @property
    def ident(self):
        return self._pid

    pid = ident

    def join(self, timeout=None):
        from teachmp.connection import wait
        wait([self._sentinel], timeout=timeout)


_current_process = _MainProcess()

# The end of a process (the stdlib's util._exit_function) is in process_exit,
# which registers it with atexit; importing teachmp imports it.
