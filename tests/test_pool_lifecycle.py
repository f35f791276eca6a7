"""Pool life cycle under trouble: regressions, each compared with the stdlib.

* ``maxtasksperchild`` with work still queued at ``close()``: the pool keeps
  replacing workers until the queued work is done (it used to stop
  replacing them at ``close()`` and ``join()`` waited forever);
* a worker that cannot be started while the pool is built: ``Pool(...)``
  terminates the workers already started and raises the error (it used to
  hang).

Every blocking call runs with a timeout: a hang fails the test instead of
the run.
"""

from __future__ import annotations

import threading

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
