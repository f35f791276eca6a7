"""Process queues: a pipe, two locks, and a thread that does the writing.

``Queue.put`` does not write to the pipe.  It appends the object to a local
buffer and returns at once; a *feeder thread* pickles buffered objects and
writes them to the pipe, holding a write lock so that two processes' messages
never interleave.  ``get`` takes the read lock, reads one message and
unpickles it.  So:

* ``put`` never blocks on a full pipe (unless ``maxsize`` says so), and an
  object that cannot be pickled is reported by the feeder thread, after
  ``put`` has returned -- teachmp prints which object and why, and forgets it
  without corrupting the count of items;
* items put by one process arrive in the order they were put (one feeder
  thread, one pipe); items from different processes interleave arbitrarily;
* a process that exits first waits for its feeder thread to flush the buffer
  into the pipe.  If nobody reads and the pipe is full, that wait never ends:
  the documented "joining a process that still has items buffered
  deadlocks" is this, for real.  ``cancel_join_thread`` opts out (and may lose
  the items).

``maxsize`` is a ``BoundedSemaphore``: ``put`` takes a unit, ``get`` gives it
back; ``qsize`` is ``maxsize`` minus its value.  An unbounded queue keeps two
shared counters instead (a pipe semaphore holds at most 65,536 units): items
written into the pipe, bumped by the feeder threads under the write lock
they already hold, once per batch; and items taken out, bumped by ``get``
under the read lock it already holds.  No extra lock, no extra system call.
``qsize`` is their difference, plus what this process has put and its
feeder has not written yet.
``empty()`` and ``qsize()`` are snapshots: by the time the caller looks at the
answer, another process may have changed it.

The feeder thread is in ``queue_feeder`` (``Feeder.run`` is its loop).
Both locks note which process holds them, and ``get`` reads a message
without ever blocking inside it, so that a process killed while holding a
lock (or half-way through writing a message) does not stop the queue:
that is ``queue_recovery``.

``SimpleQueue`` is the same without the thread (``put`` writes directly) and
``JoinableQueue`` adds a shared count of unfinished tasks for
``task_done``/``join``.

Some names are here only because code written for the stdlib looks for them
in ``multiprocessing.queues``: ``Full`` and ``Empty`` (the ``queue`` module's
exceptions, which ``put``/``get`` raise), the private ``_sentinel`` (the
feeder's stop marker) and the private ``Queue._on_queue_feeder_error`` hook
(``concurrent.futures`` overrides it).  They mean what they mean there.
"""

import collections
import os
import sys
import threading
import time
import types
import weakref
from queue import Empty, Full

from teachmp import compat, connection, log, spawning, util
from teachmp.condition import Condition
from teachmp.queue_feeder import Feeder, _sentinel
from teachmp.queue_recovery import NotedLock, ReadLock, read_message
from teachmp.reduction import ForkingPickler
from teachmp.sharedctypes import RawValue
from teachmp.synchronize import SEM_VALUE_MAX, BoundedSemaphore, Lock


class Queue:
    """A FIFO queue between processes: a pipe, two locks and a feeder thread."""

    # The stdlib's switch (concurrent.futures sets it on its call queue):
    # a pipe whose readers have all gone (EPIPE) stops the feeder quietly.
    _ignore_epipe = False

    def __init__(self, maxsize=0, *, ctx=None):
        if maxsize > SEM_VALUE_MAX:
            raise ValueError('maxsize must be at most %d (the number of tokens '
                             'a pipe semaphore can hold)' % SEM_VALUE_MAX)
        self._maxsize = maxsize if maxsize > 0 else 0
        self._reader, self._writer = connection.Pipe(duplex=False)
        # Each lock notes its holder, and get() reads without ever blocking
        # inside a message: what a process killed while holding one leaves
        # behind is repaired (queue_recovery).
        self._rlock, self._wlock = ReadLock(), NotedLock()
        os.set_blocking(self._reader.fileno(), False)
        if self._maxsize:
            self._sem, self._count = BoundedSemaphore(self._maxsize), None
        else:
            self._sem, self._count = None, (RawValue('q', 0), RawValue('q', 0))
        self._opid = os.getpid()
        self._reset()
        util.register_after_fork(self, Queue._reset)

    def __getstate__(self):
        spawning.assert_spawning(self)
        return (self._maxsize, self._reader, self._writer, self._rlock,
                self._wlock, self._sem, self._count, self._opid)

    def __setstate__(self, state):
        (self._maxsize, self._reader, self._writer, self._rlock, self._wlock,
         self._sem, self._count, self._opid) = state
        self._reset()

    def _reset(self):
        # Per-process state: the buffer and the feeder thread are never
        # inherited (fork copies memory, not threads).
        self._notempty = threading.Condition(threading.Lock())
        self._buffer = collections.deque()
        self._feeder = None         # started by the first put()
        self._thread = None         # its thread (the stdlib's attribute)
        self._cancel_join_hook = None
        self._joincancelled = False
        self._closed = False
        self._close = None

    # -- counting ------------------------------------------------------------------

    def _take_slot(self, block, timeout):
        if self._sem is not None:
            return self._sem.acquire(block, timeout)
        return True

    def _give_slot(self):
        if self._sem is not None:
            self._sem.release()

    def _dropped(self, written):
        # A message that a dead process left half-read or half-written will
        # never be taken: count it as taken (if it was counted as written)
        # and give its slot back, so that qsize() and maxsize stay right.
        if self._sem is not None:
            self._sem.release()
        elif written:
            self._count[1].value += 1

    def qsize(self):
        """Approximate number of items: others may change it at any moment."""
        if self._sem is not None:
            return self._maxsize - self._sem.get_value()
        written, taken = self._count
        with self._notempty:
            unwritten = self._feeder.unwritten if self._feeder else 0
            return max(0, written.value - taken.value + unwritten)

    def empty(self):
        """Is the pipe empty right now?  (A snapshot, like qsize.)"""
        return not self._reader.poll()

    def full(self):
        """Does a put() have to wait right now?  (Only with a maxsize.)"""
        return self._sem is not None and self._sem.get_value() == 0

    # -- put -----------------------------------------------------------------------

    def put(self, obj, block=True, timeout=None):
        """Buffer ``obj`` for the feeder thread to send; Full if no slot."""
        self._check_open()
        if not self._take_slot(block, timeout):
            raise Full
        with self._notempty:
            if self._feeder is None:
                self._start_thread()
            self._count_new_task()
            self._buffer.append(obj)
            self._feeder.unwritten += 1
            self._notempty.notify()

    def _count_new_task(self):
        pass        # JoinableQueue counts one more unfinished task here

    def put_nowait(self, obj):
        """``put(obj, False)``: raise ``queue.Full`` at once if there is no room."""
        return self.put(obj, False)

    def _check_open(self):
        if self._closed:
            raise ValueError('Queue %r is closed' % self)

    def _start_thread(self):
        """Start the feeder thread; make sure it is stopped and flushed."""
        log.debug('Queue._start_thread()')
        self._buffer.clear()
        self._feeder = Feeder(
            self._buffer, self._notempty, self._writer, self._wlock,
            self._reader.close, self._sem,
            self._count[0] if self._sem is None else None,
            self._on_queue_feeder_error, self._ignore_epipe)
        self._thread = self._feeder.thread
        self._thread.start()
        self._close = self._stop_feeder
        # When this process exits: tell the feeder to stop after what is
        # buffered (high priority, early), then wait until it has written it
        # all (negative priority: after children are joined) -- unless
        # cancel_join_thread() was called.
        cancel_stop_hook = util.register_exit_hook(
            _send_stop, (self._buffer, self._notempty), priority=10)
        _when_collected(self, cancel_stop_hook)
        if not self._joincancelled:
            self._cancel_join_hook = util.register_exit_hook(
                _join_feeder, (weakref.ref(self._thread),), priority=-5)
            _when_collected(self, self._cancel_join_hook)
        # A Queue garbage collected while this process goes on: stop the
        # feeder once it has written what is buffered.
        _when_collected(self, _send_stop, self._buffer, self._notempty)

    def _stop_feeder(self):
        _send_stop(self._buffer, self._notempty)

    @staticmethod
    def _on_queue_feeder_error(e, obj):
        """The feeder thread could not send ``obj``: say so (it is dropped).

        The stdlib's hook, under its name: subclasses override it
        (``concurrent.futures`` fails the future of a task that cannot be
        pickled).  Called while ``e`` is being handled, in the feeder thread.
        """
        import traceback
        if isinstance(e, OSError):
            sys.stderr.write("teachmp.Queue: writing to the queue's pipe "
                             'failed; the items being written were dropped.\n')
        else:
            sys.stderr.write(
                'teachmp.Queue: could not send a %s object put on the queue; '
                'it was dropped. Only picklable objects can go through a '
                'Queue.\n' % type(obj).__name__)
        traceback.print_exception(type(e), e, e.__traceback__)

    # -- get -----------------------------------------------------------------------

    def get(self, block=True, timeout=None):
        """Take the oldest item; Empty if none comes in time."""
        self._check_open()
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._rlock.acquire_or_reclaim(block, timeout):
            raise Empty
        try:
            data = read_message(self._reader.fileno(), self._rlock, self._wlock,
                                block, deadline, self._dropped)
            if data is None:
                raise Empty
            if self._sem is None:
                self._count[1].value += 1
            else:
                self._sem.release()
        finally:
            self._rlock.release()
        return ForkingPickler.loads(data)

    def get_nowait(self):
        """``get(False)``: raise ``queue.Empty`` at once if nothing is there."""
        return self.get(False)

    # stdlib-compat: Queue[int] in annotations, where the running stdlib has it
    if compat.GENERIC_QUEUE:
        __class_getitem__ = classmethod(types.GenericAlias)

    # -- shutting down --------------------------------------------------------------

    def close(self):
        """No more puts from this process; the feeder flushes and stops."""
        self._closed = True
        close, self._close = self._close, None
        if close:
            close()

    def join_thread(self):
        """Wait for the feeder thread to flush everything (after close())."""
        assert self._closed, 'Queue {0!r} not closed'.format(self)
        if self._thread is not None:
            self._thread.join()

    def cancel_join_thread(self):
        """Let this process exit without flushing (buffered items may be lost)."""
        self._joincancelled = True
        if self._cancel_join_hook is not None:
            self._cancel_join_hook()

    def _terminate_broken(self):
        """Close a queue whose readers are gone for good; don't wait to flush.

        The stdlib's name (3.12+): ``concurrent.futures`` calls it after
        killing the workers of a broken pool.  Once our read end is closed
        too, no process reads the pipe, so a feeder stuck writing into it
        fails with EPIPE and ends, and ``join_thread`` returns.
        """
        self._reader.close()
        self.close()
        self.join_thread()


def _when_collected(obj, func, *args):
    # Only on garbage collection: at interpreter exit the exit hooks decide.
    weakref.finalize(obj, func, *args).atexit = False


def _send_stop(buffer, notempty):
    with notempty:
        buffer.append(_sentinel)
        notempty.notify()


def _join_feeder(thread_ref):
    thread = thread_ref()
    if thread is not None:
        log.debug('joining queue thread')
        thread.join()


class SimpleQueue:
    """A pipe with a lock at each end: put writes directly, no thread."""

    def __init__(self, *, ctx=None):
        self._reader, self._writer = connection.Pipe(duplex=False)
        self._rlock = Lock()
        self._wlock = Lock()

    def __getstate__(self):
        spawning.assert_spawning(self)
        return self._reader, self._writer, self._rlock, self._wlock

    def __setstate__(self, state):
        self._reader, self._writer, self._rlock, self._wlock = state

    def empty(self):
        """Is the pipe empty right now?"""
        return not self._reader.poll()

    def get(self):
        """Wait for the next item and return it."""
        with self._rlock:
            data = self._reader.recv_bytes()
        return ForkingPickler.loads(data)

    def put(self, obj):
        """Pickle ``obj`` and write it now (blocks while the pipe is full)."""
        data = ForkingPickler.dumps(obj)    # fails here, before any write
        with self._wlock:
            self._writer.send_bytes(data)

    def close(self):
        """Close both ends of the pipe in this process."""
        self._reader.close()
        self._writer.close()

    # stdlib-compat: SimpleQueue[int] in annotations
    __class_getitem__ = classmethod(types.GenericAlias)


class JoinableQueue(Queue):
    """A Queue that also counts unfinished tasks (``task_done``/``join``)."""

    def __init__(self, maxsize=0, *, ctx=None):
        super().__init__(maxsize, ctx=ctx)
        self._unfinished = RawValue('q', 0)
        self._cond = Condition(Lock())

    def __getstate__(self):
        return super().__getstate__() + (self._unfinished, self._cond)

    def __setstate__(self, state):
        super().__setstate__(state[:-2])
        self._unfinished, self._cond = state[-2:]

    def _count_new_task(self):
        # Called by Queue.put before the item is buffered: a consumer can
        # only task_done() an item that has been counted.
        with self._cond:
            self._unfinished.value += 1

    def task_done(self):
        """One item taken with get() is processed; wake join() at zero."""
        with self._cond:
            if self._unfinished.value <= 0:
                raise ValueError('task_done() called too many times')
            self._unfinished.value -= 1
            if self._unfinished.value == 0:
                self._cond.notify_all()

    def join(self):
        """Wait until every item put has been marked task_done()."""
        with self._cond:
            while self._unfinished.value:
                self._cond.wait()
