"""A Pool subclass with queues of its own, terminated at a bad moment.

joblib's ``MemmappingPool`` overrides ``_setup_queues``; its result queue's
``put`` pickles and sends *inside* the queue's write lock, so a worker holds
that lock a little after its result has arrived.  If ``close()`` and
``terminate()`` come right then (joblib calls both when a task fails), the
task handler wants the same lock to send the result handler's sentinel, and
the worker is killed while holding it: unless the pool makes sure no worker
holds it when they die, the lock's token is lost and ``terminate()`` waits
for the task handler for ever.  The stdlib takes that lock itself before it
kills the workers; so must teachmp.

Here the window is made wide on purpose: the queue's ``put`` keeps the lock
for a moment after sending.
"""

from __future__ import annotations

import importlib
import pickle
import time

import pytest

from impls import IMPLS, load_impl

HOLD = 1.0  # seconds a worker keeps the result queue's lock after sending


class LingeringQueue:
    """A result queue whose ``put`` lets go of the write lock late."""

    def __init__(self, ctx):
        self._reader, self._writer = ctx.Pipe(duplex=False)
        self._rlock = ctx.Lock()
        self._wlock = ctx.Lock()

    def put(self, obj):
        with self._wlock:
            self._writer.send_bytes(pickle.dumps(obj))
            if obj is not None:         # a worker's result, not a sentinel
                time.sleep(HOLD)

    def get(self):
        with self._rlock:
            return pickle.loads(self._reader.recv_bytes())


def pool_class(impl):
    class LingeringPool(impl.pool.Pool):
        def _setup_queues(self):
            super()._setup_queues()
            self._outqueue = LingeringQueue(self._ctx)
            self._quick_get = self._outqueue._reader.recv

    return LingeringPool


def double(x):
    return 2 * x


@pytest.mark.timeout(30)
@pytest.mark.parametrize('impl_name', list(IMPLS))
def test_terminate_while_a_worker_holds_the_result_lock(impl_name):
    impl = load_impl(impl_name)
    importlib.import_module(impl.__name__ + '.pool')
    pool = pool_class(impl)(1, context=impl.get_context('fork'))
    try:
        assert pool.apply_async(double, (21,)).get(timeout=10) == 42
        # The worker is still inside put(), holding the lock, for HOLD s.
        pool.close()
        # Let the close go ahead: the worker handler ends and hands the task
        # handler its sentinel; the task handler then waits for the lock to
        # send the result handler's.  (Were we slower than that, the test
        # would pass without testing anything, never fail wrongly.)
        pool._worker_handler.join(HOLD / 2)
        time.sleep(HOLD / 5)
        pool.terminate()    # must not hang (the test's timeout would say so)
    except BaseException:
        pool.terminate()    # no join(): it would wait for the stuck thread
        raise
    pool.join()
    assert all(not w.is_alive() for w in pool._pool)
