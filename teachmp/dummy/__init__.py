"""teachmp's API on threads: the same program, without processes.

``teachmp.dummy`` (like the stdlib's ``multiprocessing.dummy``) offers the
names of the process API backed by ``threading`` and ``queue``.  A program
written against ``import teachmp as mp`` can switch to ``import teachmp.dummy
as mp`` to compare: same code, threads instead of processes, shared memory
for free, and the GIL in the way for CPU-bound work.  That comparison is the
point -- chapters 05 and 08 use it to show what processes buy.

A "process" here is a ``threading.Thread`` with the few extra attributes of
``Process`` that make sense for a thread (``exitcode``, ``daemon``...).
``Pipe`` is two queues, one per direction (``teachmp.dummy.connection``);
``Value`` is a plain object with a ``value`` attribute; ``Array`` is an
``array.array``.  Locks, semaphores and the rest are ``threading``'s own.
"""

import array
import threading
import weakref
from queue import Queue
from threading import (Barrier, BoundedSemaphore, Condition, Event, Lock,
                       RLock, Semaphore)

from teachmp.dummy.connection import Pipe

__all__ = [
    'Process', 'current_process', 'active_children', 'freeze_support',
    'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition', 'Event',
    'Barrier', 'Queue', 'JoinableQueue', 'Pipe', 'Value', 'Array',
    'Namespace', 'Manager', 'Pool', 'shutdown',
]


class DummyProcess(threading.Thread):
    """A thread that looks enough like a Process."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs={},
                 *, daemon=None):
        super().__init__(group, target, name, args, kwargs, daemon=daemon)
        self._pid = None
        self._children = weakref.WeakKeyDictionary()
        self._start_called = False
        self._parent = current_process()

    def start(self):
        if self._parent is not current_process():
            raise RuntimeError(
                'Parent is {0!r} but current_process is {1!r}'.format(
                    self._parent, current_process()))
        self._start_called = True
        if hasattr(self._parent, '_children'):
            self._parent._children[self] = None
        super().start()

    @property
    def exitcode(self):
        """0 once the thread has run and ended, None before (a thread has no exit code)."""
        if self._start_called and not self.is_alive():
            return 0
        return None


Process = DummyProcess
current_process = threading.current_thread
current_process()._children = weakref.WeakKeyDictionary()


def active_children():
    """The threads started from this one that are still running."""
    children = current_process()._children
    for p in list(children):
        if not p.is_alive():
            children.pop(p, None)
    return list(children)


def freeze_support():
    """Does nothing, as for processes on POSIX."""
    pass


class Namespace:
    """An object whose attributes you set freely (like a manager's)."""

    def __init__(self, /, **kwds):
        self.__dict__.update(kwds)

    def __repr__(self):
        items = ['%s=%r' % kv for kv in self.__dict__.items()
                 if not kv[0].startswith('_')]
        return '%s(%s)' % (type(self).__name__, ', '.join(sorted(items)))


class Value:
    """A box with a ``value``; threads share memory, so nothing is copied."""

    def __init__(self, typecode, value, lock=True):
        self._typecode = typecode
        self._value = value

    @property
    def value(self):
        """The value (threads share memory: no lock needed to reach it)."""
        return self._value

    @value.setter
    def value(self, value):
        self._value = value

    def __repr__(self):
        return '<%s(%r, %r)>' % (type(self).__name__, self._typecode, self._value)


def Array(typecode, sequence, lock=True):
    """A plain ``array.array``: threads share it already."""
    return array.array(typecode, sequence)


def Pool(processes=None, initializer=None, initargs=()):
    """A ``ThreadPool``: the Pool API, with threads as workers."""
    from teachmp.pool import ThreadPool
    return ThreadPool(processes, initializer, initargs)


def Manager():
    """This module: with threads, the real objects are shared already."""
    return __import__('teachmp.dummy', fromlist=['x'])


def shutdown():
    """Does nothing: there is no manager process to stop."""
    pass


JoinableQueue = Queue
# As in multiprocessing.dummy, a thread "manager" hands out plain containers
# (not in __all__: they are the builtins, nothing to document here).
dict = dict   # noqa: A001
list = list   # noqa: A001
