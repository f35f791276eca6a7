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
That repair work is in ``pool_recovery``, and so are the notes it needs
(``setup_board``) and the result handler's wait (``ResultWait``); the
handler threads start and stop through ``pool_handlers``.

The handler threads run their methods on a weak proxy of the pool, not on
the pool itself, so that they do not keep it alive: a pool the program has
dropped is garbage collected, and ``__del__`` terminates it (with the
stdlib's ``ResourceWarning`` if it was still running).  A pending result
keeps its pool alive until it is ready, as in the stdlib.

Subclasses can override the stdlib's hooks: ``Process``, ``_setup_queues``
(which sets ``_inqueue``, ``_outqueue``, ``_quick_put`` and ``_quick_get``;
joblib's pool brings its own queues there) and ``_repopulate_pool``.
"""

import itertools
import os
import queue
import warnings
import weakref

from teachmp import log, pool_handlers, pool_recovery, util
from teachmp.pool_results import (ApplyResult, AsyncResult,  # noqa: F401
                                  IMapIterator, IMapUnorderedIterator,
                                  MapResult)
from teachmp.pool_worker import (ExceptionWithTraceback,  # noqa: F401 (re-exported)
                                 MaybeEncodingError, RemoteTraceback,
                                 WorkerLostError, mapstar, starmapstar, worker)
from teachmp.pool_handlers import CLOSE, INIT, RUN, TERMINATE  # noqa: F401


class Pool:
    """A pool of worker processes that run the tasks you submit."""

    _wrap_exception = True

    @staticmethod
    def Process(ctx, *args, **kwds):
        """Make one worker (the stdlib's hook: subclasses may override it)."""
        return ctx.Process(*args, **kwds)

    def __init__(self, processes=None, initializer=None, initargs=(),
                 maxtasksperchild=None, context=None):
        self._state = INIT
        self._results_stop = False      # terminate(): the result handler may stop
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
        self._setup_board()
        self._wake_r, self._wake_w = os.pipe()
        # The result handler's wait, with a wake-up pipe for terminate(): an
        # object of the pipes, not of the pool (see pool_recovery.ResultWait).
        own_wait = type(self)._result_waiting is Pool._result_waiting
        self._result_wait = pool_recovery.ResultWait(
            self._outqueue._reader if own_wait else None, self._results)
        self._fds = util.FdCloser(self._wake_r, self._wake_w,
                                  self._result_wait.wake_r, self._result_wait.wake_w)
        if own_wait:
            self._result_waiting = self._result_wait
        self._slots = [None] * processes    # slot -> its worker (None: empty)
        try:
            self._repopulate_pool()
        except Exception:
            # A worker could not be started (fork failed, say): stop the
            # ones that were, and let the caller see the error.
            for p in self._pool:
                if p.exitcode is None:
                    p.terminate()
            for p in self._pool:
                p.join()
            raise
        self._state = RUN
        self._worker_handler = self._task_handler = self._result_handler = None
        start = pool_handlers.start_handler     # each on a weak proxy of the pool
        try:
            self._worker_handler = start(pool_handlers.handle_workers, self, 'PoolWorkerHandler')
            self._task_handler = start(pool_handlers.handle_tasks, self, 'PoolTaskHandler')
            self._result_handler = start(pool_handlers.handle_results, self, 'PoolResultHandler')
        except BaseException:
            # A thread could not be started (RLIMIT_NPROC counts threads):
            # terminate() stops the handlers that did start (None: never
            # started) and the workers, and the caller sees the error.
            self.terminate()
            raise
        # A pool left running at exit is terminated before children are joined.
        ref = weakref.ref(self)
        cancel = util.register_exit_hook(_terminate_if_alive, (ref,), priority=15)
        weakref.finalize(self, cancel).atexit = False

    def _setup_queues(self):
        """Make the task and result queues (the stdlib's hook and names)."""
        self._inqueue = self._ctx.SimpleQueue()
        self._outqueue = self._ctx.SimpleQueue()
        # Under the task queue's write lock: pool_recovery may need to stop
        # the task handler from writing.
        self._quick_put = self._inqueue.put
        self._quick_get = self._outqueue._reader.recv   # only one reader

    def _setup_board(self):
        """The shared notes that workers keep for pool_recovery (its
        ``setup_board``: ``_board``, ``_owners``, the ResultStream)."""
        pool_recovery.setup_board(self)

    def _repopulate_pool(self):
        """Start a worker in every empty slot (the stdlib's hook)."""
        for slot, w in enumerate(self._slots):
            if w is None:
                self._start_worker(slot)

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

    def __del__(self, _warn=warnings.warn):
        state = getattr(self, '_state', INIT)
        if state == RUN:
            _warn('unclosed running multiprocessing pool %r' % self,
                  ResourceWarning, source=self)
        if state in (RUN, CLOSE):
            self.terminate()        # collected: nobody can use it any more

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
        """``func(*args, **kwds)`` in a worker; wait for its value."""
        return self.apply_async(func, args, kwds).get()

    def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
        """``func(*args, **kwds)`` in a worker; returns an ApplyResult at once."""
        self._check_running()
        result = ApplyResult(self, callback, error_callback)
        self._taskqueue.put(([(result._job, 0, func, args, kwds)], None))
        return result

    def map(self, func, iterable, chunksize=None):
        """``list(map(func, iterable))``, the chunks run by the workers."""
        return self._map_async(func, iterable, mapstar, chunksize).get()

    def starmap(self, func, iterable, chunksize=None):
        """Like map, but ``func(*args)`` for each ``args`` in ``iterable``."""
        return self._map_async(func, iterable, starmapstar, chunksize).get()

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        """map, returning a MapResult at once."""
        return self._map_async(func, iterable, mapstar, chunksize, callback, error_callback)

    def starmap_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        """starmap, returning a MapResult at once."""
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
        result = MapResult(self, chunksize, len(iterable), callback, error_callback)
        tasks = [(result._job, i, mapper, ((func, chunk),), {})
                 for i, chunk in enumerate(_chunks(iterable, chunksize))]
        self._taskqueue.put((tasks, None))
        return result

    def imap(self, func, iterable, chunksize=1):
        """An iterator over the results, in order; reads ``iterable`` lazily."""
        return self._imap(IMapIterator, func, iterable, chunksize)

    def imap_unordered(self, func, iterable, chunksize=1):
        """Like imap, but yields each result as soon as it arrives."""
        return self._imap(IMapUnorderedIterator, func, iterable, chunksize)

    def _imap(self, iterator_class, func, iterable, chunksize):
        self._check_running()
        if chunksize < 1:
            raise ValueError('Chunksize must be 1+, not {0:n}'.format(chunksize))
        result = iterator_class(self)
        if chunksize == 1:
            tasks = ((result._job, i, func, (x,), {}) for i, x in enumerate(iterable))
            self._taskqueue.put((tasks, result._set_length))
            return result
        tasks = ((result._job, i, mapstar, ((func, chunk),), {})
                 for i, chunk in enumerate(_chunks(iterable, chunksize)))
        self._taskqueue.put((tasks, result._set_length))
        return (item for chunk in result for item in chunk)

    # -- what the handler threads (pool_handlers) ask of the pool --------------------

    def _result_waiting(self, timeout):
        # Wait rather than block in get(): see pool_recovery.ResultWait.
        # (__init__ puts the ResultWait itself in place of this method.)
        return self._result_wait(timeout)

    def _maintain_pool(self):
        """Join the workers that exited and start their replacements."""
        if self._join_exited_workers() and self._state != TERMINATE:
            # Also after close(): the work already queued still needs
            # workers (with maxtasksperchild, every worker retires).
            self._repopulate_pool()
        if self._owners is not None:
            pool_recovery.find_lost_tokens(self)

    def _join_exited_workers(self):
        """Join the workers that exited, emptying their slots; any found?"""
        found = False
        for slot, w in enumerate(self._slots):
            if w is None or w.exitcode is None:
                continue
            # Did it die mid-task, holding a lock, reading a task?
            pool_recovery.worker_exited(self, slot, w)
            w.join()
            self._pool.remove(w)
            self._slots[slot] = None
            found = True
        return found

    def _worker_sentinels(self):
        return [w.sentinel for w in self._pool]

    def _stop_result_handler(self):
        # It sees _results_stop after its next wait: end that wait now.
        # ThreadPool overrides.
        self._result_wait.wake()

    def _stop_workers(self):
        for w in list(self._pool):
            if w.exitcode is None:
                w.terminate()

    # -- shutting down -------------------------------------------------------------------

    def close(self):
        """No more work will be submitted; workers exit when it is all done."""
        log.debug('closing pool')
        if self._state == RUN:
            self._state = CLOSE
            self._wake()

    def terminate(self):
        """Stop the workers now; unfinished results fail.

        The order matters; each step relies on the ones before it:

        1. stop the worker handler (wake it, join it): from now on nobody
           starts a replacement for the workers killed in step 3;
        2. tell the task handler to stop (it also checks the state between
           two tasks): no new task is written after the ones in the pipe;
        3. kill the workers, join them, and give back any queue lock a
           killed worker held (pool_recovery), so that no pipe stays locked;
           with a subclass's queues, which pool_recovery cannot follow,
           hold the result queue's write lock while killing instead
           (``pool_recovery.result_lock_held``);
        4. stop the result handler: it polls and sees ``_results_stop``
           (a ThreadPool's gets a ``None``), needing no message from a
           worker that no longer exists;
        5. drain the task pipe until the task handler finishes: it may be
           blocked writing into a full pipe that no worker will read;
        6. fail every result still waiting, so no ``get()`` waits forever.
        """
        if self._state == TERMINATE:
            return
        log.debug('terminating pool')
        self._state = TERMINATE
        self._wake()
        pool_handlers.join_unless_current(self._worker_handler)     # 1
        self._taskqueue.put(None)                                   # 2
        with pool_recovery.result_lock_held(self):                  # 3
            self._stop_workers()
            for w in list(self._pool):
                w.join()
                if self._owners is not None:
                    pool_recovery.recover_locks(self._owners, self._inqueue,
                                                self._outqueue, w.pid)
        self._results_stop = True                                   # 4
        self._stop_result_handler()
        pool_handlers.drain_tasks_until(self._inqueue, self._task_handler)  # 5
        pool_handlers.join_unless_current(self._result_handler)
        error = ValueError('Pool was terminated before this result arrived')
        for result in list(self._cache.values()):                   # 6
            result._fail(error)
        self._cache.clear()

    def join(self):
        """Wait for the workers and threads to finish (after close/terminate)."""
        log.debug('joining pool')
        if self._state == RUN:
            raise ValueError('Pool is still running')
        if self._state not in (CLOSE, TERMINATE):
            raise ValueError('In unknown state')
        for t in (self._worker_handler, self._task_handler, self._result_handler):
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
