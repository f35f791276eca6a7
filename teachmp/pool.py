"""Pool: worker processes fed from one task queue, watched by three threads.

The caller's process keeps three helper threads:

* the **task handler** takes submitted work (``apply_async``, the chunks of
  ``map``, the lazily-consumed items of ``imap``) and writes it to the shared
  task queue that every worker reads;
* the **result handler** reads ``(job, i, result)`` messages from the result
  queue and completes the matching ``ApplyResult``/``MapResult``/iterator;
* the **worker handler** keeps the pool at its size: when a worker exits
  (``maxtasksperchild`` reached, or killed) it starts a replacement.

Beyond the stdlib: when a worker dies *in the middle of a task* -- SIGKILL,
``os._exit``, a segfault -- the stdlib's Pool waits for that result forever
(CPython issue gh-66587).  teachmp's workers note the task they are running
on a shared board (see ``pool_worker``), so the worker handler, woken by the
dead worker's sentinel, fails exactly that result with ``WorkerLostError``
naming the worker and its exit code, and the pool keeps serving the rest.
"""

import itertools
import os
import queue
import threading
import weakref

from teachmp import connection, log, util
from teachmp.pool_results import (ApplyResult, AsyncResult,  # noqa: F401
                                  IMapIterator, IMapUnorderedIterator,
                                  MapResult)
from teachmp.pool_worker import (ExceptionWithTraceback,  # noqa: F401 (re-exported)
                                 MaybeEncodingError, RemoteTraceback,
                                 IDLE, RESULT_WRITER, TASK_READER, WorkerLostError,
                                 _FIELDS, _INDEX, _JOB, _PID, mapstar,
                                 starmapstar, worker)

INIT, RUN, CLOSE, TERMINATE = 'INIT', 'RUN', 'CLOSE', 'TERMINATE'


class Pool:
    _wrap_exception = True

    @staticmethod
    def Process(ctx, *args, **kwds):
        return ctx.Process(*args, **kwds)

    def __init__(self, processes=None, initializer=None, initargs=(),
                 maxtasksperchild=None, context=None):
        self._state = INIT
        self._results_stop = False
        self._pool = []
        if context is None:
            from teachmp.context import _default_context
            context = _default_context
        self._ctx = context.get_context()
        if processes is None:
            # 3.13+: the CPUs this process may use, as the stdlib does
            count = getattr(os, 'process_cpu_count', os.cpu_count)
            processes = count() or 1
        if processes < 1:
            raise ValueError('Number of processes must be at least 1')
        if maxtasksperchild is not None and (
                not isinstance(maxtasksperchild, int) or maxtasksperchild <= 0):
            raise ValueError('maxtasksperchild must be a positive int or None')
        if initializer is not None and not callable(initializer):
            raise TypeError('initializer must be a callable')
        self._processes = processes
        self._initializer, self._initargs = initializer, initargs
        self._maxtasksperchild = maxtasksperchild
        self._cache = {}
        self._taskqueue = queue.SimpleQueue()
        self._setup_queues()
        self._wake_r, self._wake_w = os.pipe()
        self._fds = util.FdCloser(self._wake_r, self._wake_w)
        self._slots = [None] * processes
        try:
            for slot in range(processes):
                self._start_worker(slot)
        except Exception:
            for p in self._pool:
                p.terminate()
                p.join()
            raise
        self._state = RUN
        self._threads = [
            threading.Thread(target=self._handle_workers, name='PoolWorkerHandler', daemon=True),
            threading.Thread(target=self._handle_tasks, name='PoolTaskHandler', daemon=True),
            threading.Thread(target=self._handle_results, name='PoolResultHandler', daemon=True),
        ]
        for t in self._threads:
            t.start()
        # A pool left running at exit is terminated before children are joined.
        ref = weakref.ref(self)
        cancel = util.register_exit_hook(_terminate_if_alive, (ref,), priority=15)
        weakref.finalize(self, cancel).atexit = False

    def _setup_queues(self):
        from teachmp.sharedctypes import RawArray
        self._inqueue = self._ctx.SimpleQueue()
        self._outqueue = self._ctx.SimpleQueue()
        self._board = RawArray('q', _FIELDS * self._processes)
        for slot in range(self._processes):
            self._board[slot * _FIELDS + _JOB] = IDLE
        self._owners = RawArray('q', 2)     # lock holders, see pool_worker

    def _start_worker(self, slot):
        w = self.Process(self._ctx, target=worker, args=(
            self._inqueue, self._outqueue, self._initializer, self._initargs,
            self._maxtasksperchild, self._board, slot, self._owners,
            self._wrap_exception))
        w.name = w.name.replace('Process', 'PoolWorker')
        w.daemon = True
        w.start()
        self._slots[slot] = w
        self._pool.append(w)
        log.debug('added worker')

    def __repr__(self):
        return '<%s.%s state=%s pool_size=%d>' % (
            type(self).__module__, type(self).__qualname__, self._state,
            len(self._pool))

    def __reduce__(self):
        raise NotImplementedError(
            'pool objects cannot be passed between processes or pickled')

    def __enter__(self):
        self._check_running()
        return self

    def __exit__(self, *exc_info):
        self.terminate()

    def _check_running(self):
        if self._state != RUN:
            raise ValueError('Pool not running')

    def _wake(self):
        try:
            os.write(self._wake_w, b'!')
        except OSError:
            pass

    # -- submitting work ----------------------------------------------------------

    def apply(self, func, args=(), kwds={}):
        return self.apply_async(func, args, kwds).get()

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        self._check_running()
        result = ApplyResult(self._cache, callback, error_callback)
        self._taskqueue.put(([(result._job, 0, func, args, kwds)], None))
        return result

    def map(self, func, iterable, chunksize=None):
        return self._map_async(func, iterable, mapstar, chunksize).get()

    def starmap(self, func, iterable, chunksize=None):
        return self._map_async(func, iterable, starmapstar, chunksize).get()

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async(func, iterable, mapstar, chunksize, callback, error_callback)

    def starmap_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async(func, iterable, starmapstar, chunksize, callback, error_callback)

    def _map_async(self, func, iterable, mapper, chunksize=None, callback=None,
                   error_callback=None):
        self._check_running()
        if not hasattr(iterable, '__len__'):
            iterable = list(iterable)
        if chunksize is None:
            # About four chunks per worker: big enough to amortise the cost
            # of a message, small enough to balance uneven tasks.
            chunksize, extra = divmod(len(iterable), len(self._pool) * 4)
            if extra:
                chunksize += 1
        if len(iterable) == 0:
            chunksize = 0
        result = MapResult(self._cache, chunksize, len(iterable), callback, error_callback)
        tasks = [(result._job, i, mapper, ((func, chunk),), {})
                 for i, chunk in enumerate(_chunks(iterable, chunksize))]
        self._taskqueue.put((tasks, None))
        return result

    def imap(self, func, iterable, chunksize=1):
        return self._imap(IMapIterator, func, iterable, chunksize)

    def imap_unordered(self, func, iterable, chunksize=1):
        return self._imap(IMapUnorderedIterator, func, iterable, chunksize)

    def _imap(self, iterator_class, func, iterable, chunksize):
        self._check_running()
        if chunksize < 1:
            raise ValueError('Chunksize must be 1+, not {0:n}'.format(chunksize))
        result = iterator_class(self._cache)
        if chunksize == 1:
            tasks = ((result._job, i, func, (x,), {}) for i, x in enumerate(iterable))
            self._taskqueue.put((tasks, result._set_length))
            return result
        tasks = ((result._job, i, mapstar, ((func, chunk),), {})
                 for i, chunk in enumerate(_chunks(iterable, chunksize)))
        self._taskqueue.put((tasks, result._set_length))
        return (item for chunk in result for item in chunk)

    # -- the three handler threads ----------------------------------------------------

    def _handle_tasks(self):
        while True:
            entry = self._taskqueue.get()
            if entry is None:
                log.debug('task handler got sentinel')
                break
            tasks, set_length = entry
            count = 0
            try:
                for task in tasks:
                    if self._state == TERMINATE:
                        break
                    try:
                        self._inqueue.put(task)
                    except Exception as e:      # e.g. unpicklable arguments
                        job, i = task[:2]
                        result = self._cache.get(job)
                        if result is not None:
                            result._set(i, (False, e))
                        # Drop our references: the exception's traceback
                        # holds the task's arguments (and their pipes).
                        result = e = None
                    count += 1
            except Exception as e:  # the caller's iterable raised
                job = getattr(set_length, '__self__', None)
                if job is not None:
                    job._set(count, (False, e))
                    count += 1
            if set_length is not None:
                set_length(count)
        if self._state == TERMINATE:
            return      # terminate() stops the workers and the result handler
        # Closing: tell every worker to stop, then the result handler.
        log.debug('task handler sending sentinel to workers')
        for _ in self._pool:
            self._inqueue.put(None)
        log.debug('task handler sending sentinel to result handler')
        self._outqueue.put(None)
        log.debug('task handler exiting')

    def _handle_results(self):
        while True:
            if self._state == TERMINATE and self._results_stop:
                return
            if not self._result_waiting(0.2):
                continue
            try:
                message = self._outqueue.get()
            except (EOFError, OSError):
                return
            if message is None:
                log.debug('result handler got sentinel')
                return
            job, i, obj = message
            result = self._cache.get(job)
            if result is not None:
                result._set(i, obj)
            if not self._cache and self._state != RUN:
                self._wake()        # all work done: let close()/join() finish

    def _result_waiting(self, timeout):
        # Poll rather than block in get(): terminate() then needs no message
        # (nor the result queue's write lock, which a killed worker may have
        # taken with it) to stop this thread.
        return self._outqueue._reader.poll(timeout)

    def _handle_workers(self):
        while self._state == RUN or (self._cache and self._state != TERMINATE):
            self._maintain_pool()
            ready = connection.wait(self._worker_sentinels() + [self._wake_r],
                                    timeout=0.5)
            if self._wake_r in ready:
                os.read(self._wake_r, 4096)
        if self._state != TERMINATE:
            self._taskqueue.put(None)
        log.debug('worker handler exiting')

    def _maintain_pool(self):
        """Replace workers that exited; fail the task a dead worker was running."""
        for slot, w in enumerate(self._slots):
            if w is None or w.exitcode is None:
                continue
            base = slot * _FIELDS
            if self._board[base + _JOB] != IDLE and self._board[base + _PID] == w.pid:
                job, i = self._board[base + _JOB], self._board[base + _INDEX]
                self._board[base + _JOB] = IDLE
                result = self._cache.get(job)
                if result is not None:
                    result._set(i, (False, WorkerLostError(
                        'worker %s (pid %d) died with exit code %d while running '
                        'this task; its result is lost. The pool has started a '
                        'replacement worker.' % (w.name, w.pid, w.exitcode))))
            if self._owners is not None and self._owners[TASK_READER] == w.pid:
                self._resync_task_queue(w)
            self._recover_locks(w.pid)
            w.join()
            self._pool.remove(w)
            self._slots[slot] = None
            # Also after close(): the work already queued still needs
            # workers (with maxtasksperchild, every worker retires).
            if self._state != TERMINATE:
                self._start_worker(slot)

    def _worker_sentinels(self):
        return [w.sentinel for w in self._pool]

    def _stop_result_handler(self):
        pass        # it polls, and sees _results_stop

    def _stop_workers(self):
        for w in list(self._pool):
            if w.exitcode is None:
                w.terminate()

    def _resync_task_queue(self, dead):
        """A worker died in the middle of reading a task: repair the stream.

        It may have read half a message, and the next reader would take the
        rest for a new header.  Under the write lock (so the task handler
        adds nothing meanwhile) empty the pipe, and fail every pending result:
        some of their tasks were in it.  Work submitted later runs normally.
        """
        reader, wlock = self._inqueue._reader, self._inqueue._wlock
        # The task handler may be blocked writing into the full pipe while
        # holding the write lock: keep reading until it lets go of it.
        while not wlock.acquire(False):
            if reader.poll(0.01):
                os.read(reader.fileno(), 1 << 16)
        try:
            while reader.poll(0):
                os.read(reader.fileno(), 1 << 16)
        finally:
            wlock.release()
        error = WorkerLostError(
            'worker %s (pid %d) died with exit code %d while receiving a task; '
            'the tasks queued at that moment were lost with it. The pool has '
            'started a replacement worker.' % (dead.name, dead.pid, dead.exitcode))
        for result in list(self._cache.values()):
            result._fail(error)

    def _recover_locks(self, pid):
        # A worker killed while holding a queue lock took the lock's token
        # with it; give it back, or every other worker waits forever.
        if self._owners is None:
            return
        for which, lock in ((TASK_READER, self._inqueue._rlock),
                            (RESULT_WRITER, self._outqueue._wlock)):
            if self._owners[which] == pid:
                self._owners[which] = 0
                lock.release()

    # -- shutting down -------------------------------------------------------------------

    def close(self):
        """No more work will be submitted; workers exit when it is all done."""
        log.debug('closing pool')
        if self._state == RUN:
            self._state = CLOSE
            self._wake()

    def terminate(self):
        """Stop the workers now; unfinished results fail."""
        if self._state == TERMINATE:
            return
        log.debug('terminating pool')
        self._state = TERMINATE
        self._wake()
        self._threads[0].join()     # no more replacement workers after this
        self._taskqueue.put(None)
        self._stop_workers()
        for w in list(self._pool):
            w.join()
            self._recover_locks(getattr(w, 'pid', None))
        self._results_stop = True
        self._stop_result_handler()
        self._drain_tasks_until(self._threads[1])
        for t in self._threads:
            t.join()
        error = ValueError('Pool was terminated before this result arrived')
        for result in list(self._cache.values()):
            result._fail(error)
        self._cache.clear()

    def _drain_tasks_until(self, thread):
        # The task handler may be blocked writing to a full task pipe that no
        # (dead) worker will ever read: read it ourselves until it finishes.
        reader = getattr(self._inqueue, '_reader', None)
        while thread.is_alive():
            if reader is not None and reader.poll(0.05):
                reader.recv_bytes()
            thread.join(0.01)

    def join(self):
        log.debug('joining pool')
        if self._state == RUN:
            raise ValueError('Pool is still running')
        if self._state not in (CLOSE, TERMINATE):
            raise ValueError('In unknown state')
        for t in self._threads:
            t.join()
        for w in list(self._pool):
            w.join()


def _terminate_if_alive(ref):
    pool = ref()
    if pool is not None and pool._state != TERMINATE:
        pool.terminate()


def _chunks(iterable, size):
    it = iter(iterable)
    while size:
        chunk = tuple(itertools.islice(it, size))
        if not chunk:
            return
        yield chunk



# The result classes and worker errors belong to this module's namespace, as
# in the stdlib (``from multiprocessing.pool import MaybeEncodingError``), and
# they print as such.
for _cls in (ApplyResult, MapResult, IMapIterator, IMapUnorderedIterator,
             RemoteTraceback, MaybeEncodingError, ExceptionWithTraceback,
             WorkerLostError):
    _cls.__module__ = __name__
del _cls

# ThreadPool is importable from here, as from the stdlib's pool module.
from teachmp.thread_pool import ThreadPool  # noqa: E402,F401
