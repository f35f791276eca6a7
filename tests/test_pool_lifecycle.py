"""Pool life cycle under trouble: regressions, each compared with the stdlib.

* ``maxtasksperchild`` with work still queued at ``close()``: the pool keeps
  replacing workers until the queued work is done (it used to stop
  replacing them at ``close()`` and ``join()`` waited forever);
* a worker that cannot be started while the pool is built: ``Pool(...)``
  terminates the workers already started and raises the error (it used to
  hang);
* a running pool the program drops is garbage collected: the stdlib's
  ``ResourceWarning`` ("unclosed running multiprocessing pool"), and its
  workers are terminated then, not at exit.

Every blocking call runs with a timeout: a hang fails the test instead of
the run.
"""

from __future__ import annotations

import gc
import threading
import time
import warnings
import weakref

import pytest

import queue_targets as qt
from support import TIMEOUT


def in_thread(func, timeout=TIMEOUT):
    """Run func() in a thread; return ('ok', value) / ('raised', exc) or
    ('hung', None) if it has not finished after ``timeout`` seconds."""
    out = []

    def run():
        try:
            out.append(('ok', func()))
        except BaseException as e:  # noqa: BLE001
            out.append(('raised', e))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    return out[0] if out else ('hung', None)


def test_maxtasksperchild_close_with_queued_work_finishes(mp):
    pool = mp.Pool(3, maxtasksperchild=1)
    try:
        results = [pool.apply_async(qt.sleep_square, (i, 0.3)) for i in range(6)]
        pool.close()
        status, _ = in_thread(pool.join)
        assert status == 'ok', 'close() + join() did not finish'
        assert [r.get(0) for r in results] == [i * i for i in range(6)]
    finally:
        pool.terminate()
        pool.join()


def test_worker_that_fails_to_start_raises_from_pool(impl_name, start_method, impl):
    ctx, proc = qt.failing_start_context(impl_name, start_method, fail_on=3)
    before = set(impl.active_children())
    status, value = in_thread(lambda: ctx.Pool(4))
    assert status == 'raised', 'Pool(...) did not raise (%s)' % status
    assert isinstance(value, OSError)
    assert value.errno == 11 and 'simulated' in str(value)
    assert proc.starts == 3         # it gave up at the first failure
    # the two workers that had started are gone (terminated and joined)
    assert set(impl.active_children()) == before


def _collect_and_record(drop, ref):
    """Run ``drop()`` (which drops the last reference) and collect until the
    object ``ref`` points at is gone (within a bound); return the texts of
    the ResourceWarnings given meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        drop()
        # A handler thread may still hold the last result (which points at
        # its pool) for a moment after get() returned -- in the stdlib too:
        # collect until the pool goes, within a bound.
        deadline = time.monotonic() + TIMEOUT
        gc.collect()
        # (a recorded warning keeps its source, the pool, alive: stop there)
        while (ref() is not None and time.monotonic() < deadline
               and not any(issubclass(w.category, ResourceWarning) for w in caught)):
            time.sleep(0.01)
            gc.collect()
    texts = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    # A recorded warning holds its source (the pool) alive: let both go.
    del caught[:]
    gc.collect()
    return texts


def test_unclosed_running_pool_is_collected_and_terminated(mp, impl):
    pool = mp.Pool(2)
    assert pool.apply(qt.square, (3,)) == 9
    workers = list(impl.active_children())
    assert len(workers) == 2
    ref = weakref.ref(pool)
    text = repr(pool)
    holder = [pool]
    del pool
    warned = _collect_and_record(holder.clear, ref)
    assert ref() is None, 'the pool was not garbage collected'
    assert warned == [
        'unclosed running multiprocessing pool %s' % text]
    deadline = time.monotonic() + TIMEOUT
    while any(w.is_alive() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(w.is_alive() for w in workers), 'workers outlived their pool'
    for w in workers:
        w.join(TIMEOUT)
    assert impl.active_children() == []


def test_closed_pool_is_collected_without_warning(mp, impl):
    pool = mp.Pool(1)
    assert pool.map(qt.square, [1, 2]) == [1, 4]
    pool.close()
    pool.join()
    ref = weakref.ref(pool)
    holder = [pool]
    del pool
    assert _collect_and_record(holder.clear, ref) == []
    assert ref() is None
    assert impl.active_children() == []


@pytest.fixture(params=['teachmp', 'stdlib'])
def pool_module(request):
    import importlib
    return importlib.import_module(
        {'teachmp': 'teachmp.pool', 'stdlib': 'multiprocessing.pool'}[request.param])


def test_unclosed_thread_pool_is_collected_too(pool_module):
    pool = pool_module.ThreadPool(2)
    assert pool.apply(qt.square, (4,)) == 16
    workers = list(pool._pool)
    ref = weakref.ref(pool)
    text = repr(pool)
    holder = [pool]
    del pool
    assert _collect_and_record(holder.clear, ref) == [
        'unclosed running multiprocessing pool %s' % text]
    assert ref() is None
    for w in workers:
        w.join(TIMEOUT)
        assert not w.is_alive()
