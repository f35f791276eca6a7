"""Stress: one Queue fed by many processes, and a Pool that keeps replacing
its workers.

Issue 4's acceptance:

* 8 producer processes x 20,000 items into one Queue, 2 consumers: nothing
  lost, nothing duplicated, per-producer order kept.  Items are
  ``(producer, seq)``.  Each consumer checks that, for every producer, the
  sequence numbers it sees only go up (a Queue keeps the order in which one
  process put its items; two consumers each see a subsequence of it), and
  returns one bitmap per producer; the parent checks that the bitmaps of the
  two consumers are disjoint and together cover every item.
* A Pool running 10,000 tasks with ``maxtasksperchild=10`` finishes, gives
  every result, never lets a worker run more than 10 tasks, and leaves no
  process behind (the autouse leak check of ``conftest.py`` looks for
  leftover children; the test also asks ``active_children()``).

Both run on teachmp and on the stdlib; the queue test with *fork* and
*spawn*, the pool test with *fork* only: 1,000 worker processes started with
*spawn* would take minutes on the 2-core machine (issue 4's behaviour tests
cover ``maxtasksperchild`` with spawn).
"""

from __future__ import annotations

import os
import time

import pytest

PRODUCERS = 8
ITEMS = 20_000
CONSUMERS = 2
TIMEOUT = 120  # seconds; each test takes well under 30 on the 2-core machine

POOL_TASKS = 10_000
MAX_TASKS = 10
POOL_PROCS = 4

FORK_ONLY = pytest.mark.parametrize(
    '_impl_method',
    [pytest.param(('teachmp', 'fork'), id='teachmp-fork'),
     pytest.param(('stdlib', 'fork'), id='stdlib-fork')],
)


# -- children (module level: a child imports them by name) ---------------------


def produce(q, producer, count, gate):
    gate.wait(TIMEOUT)  # all producers start together: real contention
    for seq in range(count):
        q.put((producer, seq))


def consume(q, results, producers, count):
    """Read items until a None; report order violations and bitmaps."""
    last = [-1] * producers
    seen = [bytearray((count + 7) // 8) for _ in range(producers)]
    disorder = []
    received = 0
    while True:
        item = q.get(timeout=TIMEOUT)
        if item is None:
            break
        producer, seq = item
        received += 1
        if seq <= last[producer] and len(disorder) < 5:
            disorder.append((producer, last[producer], seq))
        last[producer] = seq
        seen[producer][seq >> 3] |= 1 << (seq & 7)
    results.put((os.getpid(), received, disorder, [bytes(b) for b in seen]))


_worker_token = None  # set by a worker on its first task (never in the parent)


def task(x):
    """x*x and a token naming the worker process (a pid may be reused)."""
    global _worker_token
    if _worker_token is None:
        _worker_token = (os.getpid(), os.urandom(8))
    return x * x, _worker_token


# -- helpers -------------------------------------------------------------------


def join_all(procs, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in procs:
        if p.exitcode is None:
            p.kill()
            p.join(5)
    return [p.exitcode for p in procs]


def bits(bitmap: bytes, count: int) -> list:
    return [i for i in range(count) if bitmap[i >> 3] >> (i & 7) & 1]


# -- tests ---------------------------------------------------------------------


@pytest.mark.timeout(TIMEOUT)
def test_many_producers_two_consumers(mp):
    q = mp.Queue()
    results = mp.Queue()
    gate = mp.Event()
    producers = [mp.Process(target=produce, args=(q, i, ITEMS, gate))
                 for i in range(PRODUCERS)]
    consumers = [mp.Process(target=consume, args=(q, results, PRODUCERS, ITEMS))
                 for _ in range(CONSUMERS)]
    reports = []
    try:
        for p in consumers + producers:
            p.start()
        gate.set()
        # the consumers drain q meanwhile, so joining the producers is safe
        assert join_all(producers) == [0] * PRODUCERS
        for _ in consumers:
            q.put(None)
        for _ in consumers:
            reports.append(results.get(timeout=TIMEOUT))
    finally:
        codes = join_all(consumers + producers, timeout=30)
        for qq in (q, results):
            qq.close()
            qq.join_thread()
    assert codes == [0] * (CONSUMERS + PRODUCERS)

    assert sum(r[1] for r in reports) == PRODUCERS * ITEMS, 'items lost or duplicated'
    for pid, received, disorder, _ in reports:
        assert disorder == [], (
            f"consumer {pid} saw a producer's items out of order "
            f"(producer, previous seq, seq): {disorder}")
    full = bytes([0xFF]) * (ITEMS // 8) + (
        bytes([(1 << (ITEMS % 8)) - 1]) if ITEMS % 8 else b'')
    for producer in range(PRODUCERS):
        maps = [r[3][producer] for r in reports]
        both = bytes(a & b for a, b in zip(*maps))
        union = bytes(a | b for a, b in zip(*maps))
        assert not any(both), (
            f'producer {producer}: items received twice: {bits(both, ITEMS)[:10]}')
        if union != full:
            missing = [i for i in range(ITEMS) if i not in set(bits(union, ITEMS))]
            pytest.fail(f'producer {producer}: {len(missing)} items lost, '
                        f'first ones: {missing[:10]}')


# Under make test, coverage would restart in each of the 1,000 forked
# workers and write a data file for each: 36 s of CPU for the two runs
# instead of 3.  The behaviour tests measure the same code (maxtasksperchild
# in tests/test_pool.py; tests/coverage_scope.py).  The queue test above
# stays measured: its producers are the only ones that fill a feeder's
# batch (queue_feeder's _BATCH_BYTES flush).
@pytest.mark.no_coverage('1,000 forked workers; tests/test_pool.py measures this code')
@FORK_ONLY
@pytest.mark.timeout(TIMEOUT)
def test_pool_replaces_workers_every_ten_tasks(mp):
    with mp.Pool(POOL_PROCS, maxtasksperchild=MAX_TASKS) as pool:
        out = pool.map_async(task, range(POOL_TASKS), chunksize=1).get(TIMEOUT)
        pool.close()
        pool.join()
    assert [square for square, _ in out] == [x * x for x in range(POOL_TASKS)]
    per_worker = {}
    for _, token in out:
        per_worker[token] = per_worker.get(token, 0) + 1
    worst = max(per_worker.values())
    assert worst <= MAX_TASKS, (
        f'a worker ran {worst} tasks, maxtasksperchild is {MAX_TASKS}')
    assert len(per_worker) >= POOL_TASKS // MAX_TASKS
    assert mp.active_children() == []
