"""ThreadPool: the Pool machinery with threads instead of worker processes.

Everything in ``teachmp.pool`` -- task handler, result handler, worker
handler, result objects -- works unchanged with threads as workers; only the
pieces that exist because workers are *processes* change.  Threads share
memory, so the task and result queues are plain ``queue.SimpleQueue``
objects and nothing is pickled; there is no shared board because a thread
cannot die unseen; and a thread cannot be killed, so ``terminate`` drops the
queued tasks and lets the running ones finish.  ``teachmp.dummy.Pool``
returns one of these.
"""

import queue

from teachmp.pool import Pool


class ThreadPool(Pool):
    """The same Pool with threads as workers (``teachmp.dummy.Pool``)."""

    _wrap_exception = False     # nothing is pickled: exceptions travel as they are

    @staticmethod
    def Process(ctx, *args, **kwds):
        from teachmp.dummy import DummyProcess
        return DummyProcess(*args, **kwds)

    def __init__(self, processes=None, initializer=None, initargs=()):
        super().__init__(processes, initializer, initargs)

    def _setup_queues(self):
        self._inqueue = queue.SimpleQueue()
        self._outqueue = queue.SimpleQueue()
        self._quick_put = self._inqueue.put
        self._quick_get = self._outqueue.get

    def _setup_board(self):
        self._board = None          # threads never die mid-task unseen
        self._owners = None
        self._results = None

    def _worker_sentinels(self):
        return []

    def _result_waiting(self, timeout):
        return True             # block in get(); terminate() puts None

    def _stop_result_handler(self):
        self._outqueue.put(None)

    def _stop_workers(self):
        while True:
            try:
                self._inqueue.get_nowait()
            except queue.Empty:
                break
        for _ in self._pool:
            self._inqueue.put(None)
