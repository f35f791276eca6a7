"""Housekeeping that every process does at its start and at its end.

This is the module a program knows as ``multiprocessing.util``.  It holds
two registries and the functions that run them:

* **Finalizers** (``Finalize``) -- "call this when that object dies, or when
  the process exits".  Each finalizer has an *exit priority*; at exit the
  ones with a priority run, highest first, in two rounds (see
  ``_exit_function``).  A queue's "stop my feeder thread" has a high priority
  (it must happen before children are joined), its "wait until the feeder
  has written everything" a negative one (the last moment).  A finalizer
  remembers the pid that made it and does nothing in any other process: a
  forked child inherits the parent's objects, not the parent's duties.
* **After-fork hooks** (``register_after_fork``) -- objects that hold
  per-process state (a thread lock, a proxy's connection) repair it in a
  forked child; fork copies memory but not threads.  The registry holds the
  objects *weakly* and is keyed by a counter, so any object that can be
  weakly referenced may register, even an unhashable one, as many hooks as
  it likes; they run in registration order.

At the end of any teachmp process (``_exit_function``, registered with
``atexit`` in the parent and called explicitly by a child before it leaves;
it lives in ``teachmp.process_exit``, which sees the children it joins, and
this module forwards the stdlib's names ``_exit_function`` and ``exit_function``):
finalizers with priority >= 0 run, daemonic children are terminated, every
remaining child is joined, then the remaining finalizers run.  This is the
documented contract of ``daemon``: a daemonic child never outlives its
parent, and a parent never leaves a non-daemonic child behind as a zombie.

The logging helpers (``debug``, ``info``, ``get_logger``, ...) live in
``teachmp.log`` and are re-exported here, as the stdlib's util has them.
Descriptor helpers live in ``teachmp.fdutil`` and are re-exported too.

**Private names, and why they exist.**  Real programs reach into the
stdlib's util for a few underscore names; each one here means what it means
there:

* ``_exit_function`` -- pebble's workers call it from a SIGTERM handler to
  clean up before leaving;
* ``_run_finalizers``, ``_finalizer_registry`` -- libraries (joblib's loky,
  the stdlib's own tests) run or inspect pending finalizers;
* ``_run_after_forkers`` -- what a forked child runs first;
* ``_cleanup_tests`` -- CPython's test suites (test_concurrent_futures)
  register it as a module clean-up;
* ``_args_from_interpreter_flags`` -- joblib and the test suites rebuild a
  child interpreter's command line with it (the one from ``subprocess``);
* ``_logger``, ``_log_to_stderr`` -- code checks whether logging is on
  (``util._logger is not None``).  They are the live values of
  ``teachmp.log``: a property on this module's class reads them there.
"""

import itertools
import os
import sys
import threading
import types
import weakref
from subprocess import _args_from_interpreter_flags  # noqa: F401  (see header)

from teachmp import compat, log
from teachmp.fdutil import (  # noqa: F401  (re-exported)
    MAXFD, FdCloser, abstract_sockets_supported, close_all_fds_except,
    close_fds, is_abstract_socket_namespace, spawnv_passfds, two_pipes)
from teachmp.log import (  # noqa: F401  (re-exported)
    DEFAULT_LOGGING_FORMAT, LOGGER_NAME, SUBDEBUG, SUBWARNING, debug,
    get_logger, info, log_to_stderr, sub_debug, sub_warning)

__all__ = [
    'sub_debug', 'debug', 'info', 'sub_warning', 'get_logger',
    'log_to_stderr', 'get_temp_dir', 'register_after_fork', 'is_exiting',
    'Finalize', 'ForkAwareThreadLock', 'ForkAwareLocal',
    'close_all_fds_except', 'SUBDEBUG', 'SUBWARNING',
]

NOTSET, DEBUG, INFO = 0, 10, 20

# Python 3.14 added util.warn and util.WARNING; like every version-dependent
# name they exist only where the running Python has them (teachmp.compat).
if compat.API_3_14:
    from teachmp.log import warn  # noqa: F401,E402
    WARNING = 30
    __all__ += ['warn']

_exiting = False
_finalizer_registry = {}        # (exitpriority, n) -> Finalize
_finalizer_counter = itertools.count()
_afterfork_registry = weakref.WeakValueDictionary()  # (n, id, func) -> obj
_afterfork_counter = itertools.count()
_temp_dir = None


# -- finalizers ---------------------------------------------------------------

class Finalize:
    """Call ``callback(*args, **kwargs)`` once: when ``obj`` dies, or at exit.

    ``exitpriority`` None means "only when obj dies"; an int means "also at
    exit", higher first.  Without an object the priority is required (there
    would be no other moment to run).  Calling the finalizer runs it now.
    """

    def __init__(self, obj, callback, args=(), kwargs=None, exitpriority=None):
        if exitpriority is not None and not isinstance(exitpriority, int):
            raise TypeError('Exitpriority ({0!r}) must be None or int, not {1!s}'
                            .format(exitpriority, type(exitpriority)))
        if obj is not None:
            # The weakref calls us back when obj is collected.
            self._weakref = weakref.ref(obj, self)
        elif exitpriority is None:
            raise ValueError('Without object, exitpriority cannot be None')
        self._callback = callback
        self._args = args
        self._kwargs = kwargs or {}
        self._key = (exitpriority, next(_finalizer_counter))
        self._pid = os.getpid()
        _finalizer_registry[self._key] = self

    def __call__(self, wr=None):
        """Run the callback if it has not run yet (in the creating process)."""
        if _finalizer_registry.pop(self._key, None) is None:
            sub_debug('finalizer no longer registered')
            return None
        if self._pid != os.getpid():
            sub_debug('finalizer ignored because different process')
            result = None
        else:
            sub_debug('finalizer calling %s with args %s and kwargs %s',
                      self._callback, self._args, self._kwargs)
            result = self._callback(*self._args, **self._kwargs)
        self._forget()
        return result

    def cancel(self):
        """Unregister without running the callback."""
        if _finalizer_registry.pop(self._key, None) is not None:
            self._forget()

    def still_active(self):
        """True while the callback has neither run nor been cancelled."""
        return self._key in _finalizer_registry

    def _forget(self):
        # Drop the references: the callback's arguments may be big, or may
        # keep other objects alive.
        self._weakref = self._callback = self._args = self._kwargs = None
        self._key = None

    def __repr__(self):
        try:
            obj = self._weakref()
        except (AttributeError, TypeError):
            obj = None
        if self._callback is None:
            return '<%s object, dead>' % type(self).__name__
        text = '<%s object, callback=%s' % (
            type(self).__name__,
            getattr(self._callback, '__name__', self._callback))
        if self._args:
            text += ', args=' + str(self._args)
        if self._kwargs:
            text += ', kwargs=' + str(self._kwargs)
        if self._key[0] is not None:
            text += ', exitpriority=' + str(self._key[0])
        if obj is not None:
            text += ', obj=%r' % type(obj).__name__
        return text + '>'


def _run_finalizers(minpriority=None):
    """Run pending finalizers that have a priority (>= minpriority), highest
    first.  Without minpriority, forget every other finalizer afterwards: this
    is the very end of the process."""
    if _finalizer_registry is None:     # interpreter tear-down
        return
    keys = [key for key in list(_finalizer_registry)
            if key[0] is not None and (minpriority is None or key[0] >= minpriority)]
    for key in sorted(keys, reverse=True):
        finalizer = _finalizer_registry.get(key)
        if finalizer is None:           # an earlier finalizer cancelled it
            continue
        sub_debug('calling %s', finalizer)
        try:
            finalizer()
        except Exception:
            import traceback
            traceback.print_exc()
    if minpriority is None:
        _finalizer_registry.clear()


def register_exit_hook(callback, args=(), priority=0):
    """Run ``callback(*args)`` when this process exits; return a cancel function.

    teachmp's own short form of ``Finalize(None, callback, args,
    exitpriority=priority)``.
    """
    return Finalize(None, callback, args, exitpriority=priority).cancel


# -- after fork -----------------------------------------------------------------

def register_after_fork(obj, func):
    """Call ``func(obj)`` in every forked child while ``obj`` is alive here."""
    _afterfork_registry[(next(_afterfork_counter), id(obj), func)] = obj


def _run_after_forkers():
    """Run the after-fork hooks, oldest first; one failing hook is logged."""
    for (_n, _ident, func), obj in sorted(_afterfork_registry.items(),
                                          key=lambda item: item[0][0]):
        try:
            func(obj)
        except Exception as e:  # one broken hook must not kill the child
            info('after forker raised exception %s', e)


def run_after_fork_hooks():
    """What a new child does first: forget the parent's exit duties, then
    repair per-process state."""
    global _exiting
    _exiting = False
    _finalizer_registry.clear()     # the parent's exit duties are not ours
    _run_after_forkers()


class ForkAwareThreadLock:
    """A ``threading.Lock`` that a forked child finds unlocked.

    A thread of the parent may hold the lock at the moment of fork; that
    thread does not exist in the child, so nobody would ever release it.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self.acquire = self._lock.acquire
        self.release = self._lock.release
        register_after_fork(self, ForkAwareThreadLock._at_fork_reinit)

    def _at_fork_reinit(self):
        self._lock._at_fork_reinit()

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *args):
        return self._lock.__exit__(*args)

    def __repr__(self):
        return '<%s %s>' % (type(self).__name__,
                            'locked' if self._lock.locked() else 'unlocked')


class ForkAwareLocal(threading.local):
    """Thread-local data that a forked child starts without."""

    def __init__(self):
        register_after_fork(self, lambda obj: obj.__dict__.clear())

    def __reduce__(self):
        return type(self), ()


# -- exit -------------------------------------------------------------------------

def is_exiting():
    """True once this process has started its exit clean-up."""
    return _exiting or _exiting is None


def close_stdin():
    """A child must not read its parent's terminal: give it /dev/null."""
    if sys.stdin is None:
        return
    try:
        sys.stdin.close()
    except (OSError, ValueError):
        pass
    try:
        sys.stdin = open(os.devnull, encoding='utf-8')
    except OSError:
        pass


def join_non_daemon_threads():
    """What the interpreter does at exit, done by hand before ``os._exit``."""
    me = threading.current_thread()
    for t in threading.enumerate():
        if t is not me and not t.daemon and t.is_alive():
            t.join()


# -- temporary directory ----------------------------------------------------------

def get_temp_dir():
    """A private directory for this process tree's files, removed at exit.

    Made on first use; a forked child inherits the name (and leaves the
    removal to the parent, whose finalizer it is).
    """
    global _temp_dir
    if _temp_dir is None:
        import shutil
        import tempfile
        _temp_dir = tempfile.mkdtemp(prefix='pymp-')
        info('created temp directory %s', _temp_dir)
        Finalize(None, _remove_temp_dir, args=(shutil.rmtree, _temp_dir),
                 exitpriority=-100)
    return _temp_dir


def _remove_temp_dir(rmtree, tempdir):
    global _temp_dir
    rmtree(tempdir, ignore_errors=True)
    if _temp_dir == tempdir:
        _temp_dir = None


# -- the live logging state (see "Private names" in the header) -------------------

class _UtilModule(types.ModuleType):
    @property
    def _logger(self):
        return log._logger

    @_logger.setter
    def _logger(self, value):
        log._logger = value

    @property
    def _log_to_stderr(self):
        return log._log_to_stderr

    @_log_to_stderr.setter
    def _log_to_stderr(self, value):
        log._log_to_stderr = value

    # The stdlib's util has the exit function; teachmp keeps it in
    # process_exit.py, which sees the children it joins (this module sits
    # below the processes and imports it only here, when one of these names
    # is asked for).
    @property
    def _exit_function(self):
        from teachmp import process_exit
        return process_exit._exit_function

    exit_function = _exit_function

    @property
    def _cleanup_tests(self):
        from teachmp import process_exit
        return process_exit._cleanup_tests


sys.modules[__name__].__class__ = _UtilModule


def pid_alive(pid):
    """Is process ``pid`` alive (not gone, not a zombie)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            state = f.read().rsplit(b')', 1)[1].split()[0]
    except (OSError, IndexError):
        return True         # no /proc: trust kill(0)
    return state not in (b'Z', b'X')
