"""Contexts: one object per start method, each with the whole teachmp API.

``get_context('spawn')`` returns an object whose ``Process`` starts children
with spawn, whose ``Pipe`` is the ordinary ``Pipe``, and so on: a program that
wants two start methods at once holds two contexts instead of flipping a
global switch.  The module-level functions of ``teachmp`` are the methods of
``_default_context``, a ``DefaultContext`` that forwards to whichever concrete
context was chosen by ``set_start_method`` (or the platform default).

The default matches the stdlib of the running Python: spawn on macOS (fork
is unsafe with the system frameworks there); elsewhere fork up to 3.13 and
forkserver from 3.14 (fork is unsafe in a program that has threads).

The "spawning popen" functions (``get_spawning_popen``, ``assert_spawning``)
are the stdlib's names in this module; they live in ``teachmp.spawning``, at
the bottom of the library, because its lowest layers consult them.

**Where the imports go in a circle, and why.**  The library is layered (the
map is ``LAYERS`` in ``tests/test_layers.py``, which fails on any import that
points up without a reason).  Five kinds of import point up, each because the
API asks for it:

* the facade: this module imports every component (lazily, inside the
  factory methods), and ``Pool``/``BaseManager`` with no context, and a child
  setting its start method (``process._bootstrap``, ``spawn.prepare``), come
  back to ``_default_context``;
* stdlib re-exports: the stdlib keeps ``Condition`` in ``synchronize``,
  ``ThreadPool`` in ``pool``, ``SharedMemoryManager`` in ``managers``,
  ``Listener`` and the handshake in ``connection``, ``_exit_function`` in
  ``util`` and ``DupFd``'s fallback next to ``reduction``; teachmp splits
  those modules by idea, and the stdlib's module imports the new one back,
  lazily, to keep the stdlib's names;
* the run alias: a child of a ``python -m teachmp run`` program installs the
  ``multiprocessing`` alias again (``spawn``, ``forkserver`` import
  ``runner``, which imports the whole package);
* the log: every module logs, ``process`` included, and the log's
  process-name filter asks ``process`` for the current process's name;
* the handover: a spawned child joins the program's resource tracker and,
  when one is recording, its trace, so ``spawn`` (below both: the tracker
  starts with ``spawn``'s interpreter, the trace wraps ``spawn``'s functions)
  hands them over with the preparation data, as the stdlib's spawn does for
  its tracker.
"""

import os
import sys

from teachmp import compat, errors, process
from teachmp.spawning import (assert_spawning, get_spawning_popen,  # noqa: F401
                              set_spawning_popen)      # (the stdlib's names)
from teachmp.errors import (AuthenticationError, BufferTooShort,  # noqa: F401
                            ProcessError, TimeoutError)       # (re-exported)


class BaseContext:
    """The whole teachmp API, with children started by one start method.

    Every factory here (``Lock``, ``Queue``, ``Pool``...) makes the object in
    the module named next to it, telling it which context made it.
    """
    ProcessError = errors.ProcessError
    BufferTooShort = errors.BufferTooShort
    TimeoutError = errors.TimeoutError
    AuthenticationError = errors.AuthenticationError

    current_process = staticmethod(process.current_process)
    parent_process = staticmethod(process.parent_process)
    active_children = staticmethod(process.active_children)

    def cpu_count(self):
        """Number of CPUs in the system (not the ones this process may use)."""
        num = os.cpu_count()
        if num is None:
            raise NotImplementedError('cannot determine number of cpus')
        return num

    def Pipe(self, duplex=True):
        """Return two ``Connection`` objects joined by a pipe."""
        from teachmp.connection import Pipe
        return Pipe(duplex)

    # -- synchronization (teachmp.synchronize, teachmp.condition) ---------------

    def Lock(self):
        """A lock for processes: one holder at a time (``teachmp.synchronize``)."""
        from teachmp.synchronize import Lock
        return Lock(ctx=self.get_context())

    def RLock(self):
        """A lock its holder may take again, released as often as taken."""
        from teachmp.synchronize import RLock
        return RLock(ctx=self.get_context())

    def Semaphore(self, value=1):
        """A counter of ``value`` units that processes take and give back."""
        from teachmp.synchronize import Semaphore
        return Semaphore(value, ctx=self.get_context())

    def BoundedSemaphore(self, value=1):
        """A semaphore that refuses to be released above its starting value."""
        from teachmp.synchronize import BoundedSemaphore
        return BoundedSemaphore(value, ctx=self.get_context())

    def Condition(self, lock=None):
        """A condition variable for processes, over ``lock`` (a new RLock if None)."""
        from teachmp.condition import Condition
        return Condition(lock, ctx=self.get_context())

    def Event(self):
        """A flag that processes can set, clear and wait for."""
        from teachmp.condition import Event
        return Event(ctx=self.get_context())

    def Barrier(self, parties, action=None, timeout=None):
        """A meeting point: ``wait()`` returns once ``parties`` processes wait."""
        from teachmp.condition import Barrier
        return Barrier(parties, action, timeout, ctx=self.get_context())

    # -- queues (teachmp.queues) ----------------------------------------------------

    def Queue(self, maxsize=0):
        """A FIFO queue between processes: a pipe, a lock, and a feeder thread."""
        from teachmp.queues import Queue
        return Queue(maxsize, ctx=self.get_context())

    def JoinableQueue(self, maxsize=0):
        """A ``Queue`` with ``task_done()`` and ``join()``: wait until all is done."""
        from teachmp.queues import JoinableQueue
        return JoinableQueue(maxsize, ctx=self.get_context())

    def SimpleQueue(self):
        """A queue without a feeder thread or a size limit: a pipe and two locks."""
        from teachmp.queues import SimpleQueue
        return SimpleQueue(ctx=self.get_context())

    def Manager(self):
        """Start a SyncManager's server process and return the manager."""
        from teachmp.managers import SyncManager
        m = SyncManager(ctx=self.get_context())
        m.start()
        return m

    def Pool(self, processes=None, initializer=None, initargs=(),
             maxtasksperchild=None):
        """A pool of worker processes that run functions for you (``teachmp.pool``)."""
        from teachmp.pool import Pool
        return Pool(processes, initializer, initargs, maxtasksperchild,
                    context=self.get_context())

    # -- shared memory (teachmp.sharedctypes) -------------------------------------

    def RawValue(self, typecode_or_type, *args):
        """A ctypes object in shared memory, with no lock."""
        from teachmp.sharedctypes import RawValue
        return RawValue(typecode_or_type, *args)

    def RawArray(self, typecode_or_type, size_or_initializer):
        """A ctypes array in shared memory, with no lock."""
        from teachmp.sharedctypes import RawArray
        return RawArray(typecode_or_type, size_or_initializer)

    def Value(self, typecode_or_type, *args, lock=True):
        """A ctypes object in shared memory; ``.value`` takes a lock each time."""
        from teachmp.sharedctypes import Value
        return Value(typecode_or_type, *args, lock=lock, ctx=self.get_context())

    def Array(self, typecode_or_type, size_or_initializer, *, lock=True):
        """A ctypes array in shared memory; each item access takes a lock."""
        from teachmp.sharedctypes import Array
        return Array(typecode_or_type, size_or_initializer, lock=lock,
                     ctx=self.get_context())

    def get_logger(self):
        """Return teachmp's logger (``teachmp.log``), creating it on first use."""
        from teachmp.log import get_logger
        return get_logger()

    def log_to_stderr(self, level=None):
        """Send teachmp's log to stderr, in the stdlib's format; return the logger."""
        from teachmp.log import log_to_stderr
        return log_to_stderr(level)

    def freeze_support(self):
        """Needed only for frozen Windows executables; a no-op on POSIX."""

    def set_executable(self, executable):
        """Use ``executable`` instead of ``sys.executable`` to spawn children."""
        from teachmp.spawn import set_executable
        set_executable(executable)

    def set_forkserver_preload(self, module_names, **kwargs):
        """Modules the fork server imports once, before it forks children."""
        from teachmp.forkserver import set_forkserver_preload
        set_forkserver_preload(module_names, **_preload_options(kwargs))

    def allow_connection_pickling(self):
        """Kept for compatibility: connections always know how to pickle."""

    def get_context(self, method=None):
        """The context of start method ``method`` ('fork', 'spawn'...), or this one."""
        if method is None:
            return self
        try:
            ctx = _concrete_contexts[method]
        except KeyError:
            raise ValueError('cannot find context for %r' % method) from None
        return ctx

    def get_start_method(self, allow_none=False):
        """The name of this context's start method."""
        return self._name

    def set_start_method(self, method, force=False):
        """Only the default context can change its start method: ValueError here."""
        raise ValueError('cannot set start method of concrete context')

    def get_all_start_methods(self):
        """The start methods this platform supports, the default first."""
        default = _default_method()
        return [default] + [m for m in _concrete_contexts if m != default]

    @property
    def reducer(self):
        """The module (or ``reduction.AbstractReducer``) that pickles for processes."""
        global _reducer
        if _reducer is None:
            from teachmp import reduction
            _reducer = reduction
        return _reducer

    @reducer.setter
    def reducer(self, reduction):
        global _reducer
        _reducer = reduction


class Process(process.BaseProcess):
    """The ``Process`` of the default context: starts with the chosen method."""

    _start_method = None

    @staticmethod
    def _Popen(process_obj):
        return _default_context.get_context().Process._Popen(process_obj)


class DefaultContext(BaseContext):
    """Forwards to the concrete context chosen once per program."""

    Process = Process

    def __init__(self, context):
        self._default_context = context
        self._actual_context = None

    def get_context(self, method=None):
        """The chosen context (fixing the default on first use), or ``method``'s."""
        if method is None:
            if self._actual_context is None:
                self._actual_context = self._default_context
            return self._actual_context
        return super().get_context(method)

    def set_start_method(self, method, force=False):
        """Choose the start method, once per program (``force=True`` to change it)."""
        if self._actual_context is not None and not force:
            raise RuntimeError('context has already been set')
        if method is None and force:
            self._actual_context = None
            return
        self._actual_context = self.get_context(method)

    def get_start_method(self, allow_none=False):
        """The chosen start method's name (None if unchosen and ``allow_none``)."""
        if self._actual_context is None:
            if allow_none:
                return None
            self._actual_context = self._default_context
        return self._actual_context._name


class ForkProcess(process.BaseProcess):
    _start_method = 'fork'

    @staticmethod
    def _Popen(process_obj):
        from teachmp.popen_fork import Popen
        return Popen(process_obj)


class SpawnProcess(process.BaseProcess):
    _start_method = 'spawn'

    @staticmethod
    def _Popen(process_obj):
        from teachmp.popen_spawn import Popen
        return Popen(process_obj)


class ForkServerProcess(process.BaseProcess):
    _start_method = 'forkserver'

    @staticmethod
    def _Popen(process_obj):
        from teachmp.popen_forkserver import Popen
        return Popen(process_obj)


class ForkContext(BaseContext):
    """The context whose children start with ``fork``: ``get_context('fork')``."""

    _name = 'fork'
    Process = ForkProcess


class SpawnContext(BaseContext):
    """The context whose children start with ``spawn``: ``get_context('spawn')``."""

    _name = 'spawn'
    Process = SpawnProcess


class ForkServerContext(BaseContext):
    """The context whose children the fork server forks: ``get_context('forkserver')``."""

    _name = 'forkserver'
    Process = ForkServerProcess


_concrete_contexts = {'fork': ForkContext(), 'spawn': SpawnContext(),
                      'forkserver': ForkServerContext()}


def _default_method():
    if sys.platform == 'darwin':
        return 'spawn'
    return 'forkserver' if compat.FORKSERVER_DEFAULT else 'fork'


def _preload_options(kwargs):
    """``on_error`` exists from Python 3.15 (gh-141860), as in the stdlib."""
    allowed = {'on_error'} if compat.PRELOAD_ON_ERROR else set()
    for name in kwargs:
        if name not in allowed:
            raise TypeError('set_forkserver_preload() got an unexpected '
                            'keyword argument %r' % name)
    return kwargs


_default_context = DefaultContext(_concrete_contexts[_default_method()])


def _force_start_method(method):
    """In a child: make the default context match how we were started."""
    _default_context._actual_context = _concrete_contexts[method]


_reducer = None         # what ``ctx.reducer`` returns (see BaseContext.reducer)


# The names teachmp exports at the top level, as bound methods of the default
# context (the stdlib's ``multiprocessing`` does the same).
PUBLIC_NAMES = [
    'Process', 'current_process', 'parent_process', 'active_children',
    'cpu_count', 'Pipe', 'get_logger', 'log_to_stderr', 'freeze_support',
    'set_executable', 'set_forkserver_preload', 'allow_connection_pickling',
    'get_context',
    'get_start_method', 'set_start_method', 'get_all_start_methods',
    'ProcessError', 'BufferTooShort', 'TimeoutError', 'AuthenticationError',
    'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event',
    'Barrier', 'RawValue', 'RawArray', 'Value', 'Array',
    'Queue', 'JoinableQueue', 'SimpleQueue', 'Pool', 'Manager', 'reducer',
]
