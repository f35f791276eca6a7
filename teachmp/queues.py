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

``SimpleQueue`` is the same without the thread (``put`` writes directly) and
``JoinableQueue`` adds a shared count of unfinished tasks for
``task_done``/``join``.
"""

import collections
import os
import queue
import sys
import threading
import time
import weakref

from teachmp import connection, context, log, util
from teachmp.connection import _HEADER, _SMALL_MESSAGE
from teachmp.condition import Condition
from teachmp.reduction import ForkingPickler
from teachmp.sharedctypes import RawValue
from teachmp.synchronize import SEM_VALUE_MAX, BoundedSemaphore, Lock

_STOP = object()    # put in the buffer by close(): the feeder thread exits


class Queue:
    def __init__(self, maxsize=0, *, ctx=None):
        if maxsize > SEM_VALUE_MAX:
            raise ValueError('maxsize must be at most %d (the number of tokens '
                             'a pipe semaphore can hold)' % SEM_VALUE_MAX)
        self._maxsize = maxsize if maxsize > 0 else 0
        self._reader, self._writer = connection.Pipe(duplex=False)
        self._rlock = Lock()
        self._wlock = Lock()
        if self._maxsize:
            self._sem, self._count = BoundedSemaphore(self._maxsize), None
        else:
            self._sem, self._count = None, (RawValue('q', 0), RawValue('q', 0))
        self._opid = os.getpid()
        self._reset()
        util.register_after_fork(self, Queue._reset)

    def __getstate__(self):
        context.assert_spawning(self)
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
        self._inflight = [0]    # put here, not yet written by our feeder
        self._thread = None
        self._cancel_join = None
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

    def qsize(self):
        """Approximate number of items: others may change it at any moment."""
        if self._sem is not None:
            return self._maxsize - self._sem.get_value()
        written, taken = self._count
        with self._notempty:
            return max(0, written.value - taken.value + self._inflight[0])

    def empty(self):
        return not self._reader.poll()

    def full(self):
        return self._sem is not None and self._sem.get_value() == 0

    # -- put -----------------------------------------------------------------------

    def put(self, obj, block=True, timeout=None):
        self._check_open()
        if not self._take_slot(block, timeout):
            raise queue.Full
        with self._notempty:
            if self._thread is None:
                self._start_thread()
            self._count_new_task()
            self._buffer.append(obj)
            self._inflight[0] += 1
            self._notempty.notify()

    def _count_new_task(self):
        pass        # JoinableQueue counts one more unfinished task here

    def put_nowait(self, obj):
        return self.put(obj, False)

    def _check_open(self):
        if self._closed:
            raise ValueError('Queue %r is closed' % self)

    def _start_thread(self):
        log.debug('Queue._start_thread()')
        self._buffer.clear()
        self._thread = threading.Thread(
            target=_feed, name='QueueFeederThread', daemon=True,
            args=(self._buffer, self._notempty, self._writer, self._wlock,
                  self._reader.close, self._give_slot,
                  self._count[0] if self._sem is None else None,
                  self._inflight))
        self._thread.start()
        self._close = self._stop_feeder
        # When this process exits: tell the feeder to stop after what is
        # buffered (high priority, early), then wait until it has written it
        # all (negative priority: after children are joined) -- unless
        # cancel_join_thread() was called.
        stop = util.register_exit_hook(
            _stop, (self._buffer, self._notempty), priority=10)
        _when_collected(self, stop)
        if not self._joincancelled:
            cancel = util.register_exit_hook(
                _join_feeder, (weakref.ref(self._thread),), priority=-5)
            self._cancel_join = cancel
            _when_collected(self, cancel)
        _when_collected(self, _stop, self._buffer, self._notempty)

    def _stop_feeder(self):
        _stop(self._buffer, self._notempty)

    # -- get -----------------------------------------------------------------------

    def get(self, block=True, timeout=None):
        self._check_open()
        if block and timeout is None:
            rlock = self._rlock
            rlock.acquire()
            try:
                data = self._reader.recv_bytes()
                if self._sem is None:
                    self._count[1].value += 1
            finally:
                rlock._release_mine()
            if self._sem is not None:
                self._sem.release()
        else:
            deadline = None if timeout is None else time.monotonic() + timeout
            if not self._rlock.acquire(block, timeout):
                raise queue.Empty
            try:
                remaining = 0 if deadline is None else deadline - time.monotonic()
                if not self._reader.poll(remaining if block else 0):
                    raise queue.Empty
                data = self._reader.recv_bytes()
                if self._sem is None:
                    self._count[1].value += 1
                else:
                    self._sem.release()
            finally:
                self._rlock._release_mine()
        return ForkingPickler.loads(data)

    def get_nowait(self):
        return self.get(False)

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
        if self._cancel_join is not None:
            self._cancel_join()


def _when_collected(obj, func, *args):
    # Only on garbage collection: at interpreter exit the exit hooks decide.
    weakref.finalize(obj, func, *args).atexit = False


def _stop(buffer, notempty):
    with notempty:
        buffer.append(_STOP)
        notempty.notify()


def _join_feeder(thread_ref):
    thread = thread_ref()
    if thread is not None:
        log.debug('joining queue thread')
        thread.join()


def _feed(buffer, notempty, writer, wlock, close_reader, give_slot, written,
          inflight):
    """The feeder thread: pickle what ``put`` buffered and write it.

    Everything buffered since the last look is written as one batch: the
    write lock is taken once, and the small frames (header + pickle) are
    joined and written with as few ``os.write`` calls as possible -- the
    lock keeps other processes' feeders from writing in between, so the
    frames stay whole however the kernel splits the write.
    """
    while True:
        with notempty:
            while not buffer:
                notempty.wait()
            batch = list(buffer)
            buffer.clear()
        stop = False
        frames = []             # (object, pickle) in order
        for obj in batch:
            if obj is _STOP:
                stop = True
                break
            try:
                frames.append((obj, ForkingPickler.dumps(obj)))
            except Exception as exc:
                give_slot()     # the item never entered the pipe
                _report_unpicklable(obj, exc)
        if frames:
            wlock.acquire()
            try:
                sent = _write_frames(writer, frames, give_slot)
                # Still under the write lock, which every feeder of this
                # queue takes: the shared count cannot lose an update.
                with notempty:
                    if written is not None and sent:
                        written.value += sent
                    inflight[0] -= len(batch) - stop
            finally:
                wlock._release_mine()
            if sent is None:    # the reader is gone while we shut down
                return
        elif batch:
            with notempty:
                inflight[0] -= len(batch) - stop
        if stop:
            log.debug('feeder thread got sentinel -- exiting')
            # close() means this process is done with the queue: give
            # both descriptors back (get() refuses once closed).
            close_reader()
            writer.close()
            return


_BATCH_BYTES = 65536        # join small frames up to this many bytes


def _write_frames(writer, frames, give_slot):
    """Write the frames (the caller holds the write lock); return how many
    went, or None if the reader is gone while this process exits."""
    sent = 0
    chunk, size, pending = [], 0, 0        # joined small frames not yet sent
    for obj, data in frames:
        try:
            if len(data) > _SMALL_MESSAGE:
                if chunk:
                    writer._send(b''.join(chunk))
                    sent += pending
                    chunk, size, pending = [], 0, 0
                writer.send_bytes(data)
                sent += 1
                continue
            chunk += (_HEADER.pack(len(data)), data)
            size += 4 + len(data)
            pending += 1
            if size >= _BATCH_BYTES:
                writer._send(b''.join(chunk))
                sent += pending
                chunk, size, pending = [], 0, 0
        except OSError as exc:
            return _write_failed(obj, exc, give_slot, len(frames) - sent, sent)
    if chunk:
        try:
            writer._send(b''.join(chunk))
            sent += pending
        except OSError as exc:
            return _write_failed(obj, exc, give_slot, len(frames) - sent, sent)
    return sent


def _write_failed(obj, exc, give_slot, lost, sent):
    for _ in range(lost):
        give_slot()
    if util._exiting:           # reader gone while we shut down
        return None
    import traceback
    sys.stderr.write('teachmp.Queue: could not write a %s object to the '
                     "queue's pipe; it was dropped.\n" % type(obj).__name__)
    traceback.print_exception(type(exc), exc, exc.__traceback__)
    return sent


def _report_unpicklable(obj, exc):
    import traceback
    sys.stderr.write(
        'teachmp.Queue: could not send a %s object put on the queue; it was '
        'dropped. Only picklable objects can go through a Queue.\n'
        % type(obj).__name__)
    traceback.print_exception(type(exc), exc, exc.__traceback__)


class SimpleQueue:
    """A pipe with a lock at each end: put writes directly, no thread."""

    def __init__(self, *, ctx=None):
        self._reader, self._writer = connection.Pipe(duplex=False)
        self._rlock = Lock()
        self._wlock = Lock()

    def __getstate__(self):
        context.assert_spawning(self)
        return self._reader, self._writer, self._rlock, self._wlock

    def __setstate__(self, state):
        self._reader, self._writer, self._rlock, self._wlock = state

    def empty(self):
        return not self._reader.poll()

    def get(self):
        with self._rlock:
            data = self._reader.recv_bytes()
        return ForkingPickler.loads(data)

    def put(self, obj):
        data = ForkingPickler.dumps(obj)    # fails here, before any write
        with self._wlock:
            self._writer.send_bytes(data)

    def close(self):
        self._reader.close()
        self._writer.close()


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
        with self._cond:
            if self._unfinished.value <= 0:
                raise ValueError('task_done() called too many times')
            self._unfinished.value -= 1
            if self._unfinished.value == 0:
                self._cond.notify_all()

    def join(self):
        with self._cond:
            while self._unfinished.value:
                self._cond.wait()
