"""Stress: many processes hammering one lock and one barrier.

Issue 3's acceptance: 4 processes x 10,000 locked increments of one Value
give exactly 40,000 (fork and spawn); a Barrier of 4 parties cycles 1,000
times without breaking (fork and spawn).  Both run on teachmp and on the
stdlib.
"""

from __future__ import annotations

import pytest

import sync_targets as st

# Under make test, coverage would trace each of the 40,000 locked
# increments and 4,000 barrier waits in the children; the behaviour tests
# measure the same code (tests/coverage_scope.py).
pytestmark = pytest.mark.no_coverage('stress: the behaviour tests measure this code')

TIMEOUT = 60
PROCS = 4
INCREMENTS = 10_000


def join_all(procs):
    for p in procs:
        p.join(TIMEOUT)
    for p in procs:
        if p.exitcode is None:
            p.kill()
            p.join(5)
    return [p.exitcode for p in procs]


@pytest.mark.timeout(120)
def test_locked_increments(mp):
    counter = mp.Value('i', 0)
    gate = mp.Event()  # all workers start together: real contention
    procs = [mp.Process(target=st.locked_increments, args=(counter, INCREMENTS, gate))
             for _ in range(PROCS)]
    for p in procs:
        p.start()
    gate.set()
    assert join_all(procs) == [0] * PROCS
    assert counter.value == PROCS * INCREMENTS


@pytest.mark.timeout(120)
def test_barrier_cycles(mp):
    cycles = 1000
    barrier = mp.Barrier(PROCS)
    pipes = [mp.Pipe(duplex=False) for _ in range(PROCS - 1)]
    procs = [mp.Process(target=st.barrier_cycles_quiet, args=(barrier, cycles, w))
             for _, w in pipes]
    for p in procs:
        p.start()
    try:
        done = 0
        for _ in range(cycles):
            barrier.wait(TIMEOUT)
            done += 1
        results = []
        for r, _ in pipes:
            assert r.poll(TIMEOUT), 'a party never finished'
            results.append(r.recv())
    finally:
        if barrier.n_waiting or done < cycles:
            barrier.abort()  # let every child out
        codes = join_all(procs)
        for r, w in pipes:
            r.close()
            w.close()
    assert done == cycles
    assert results == [('ok', cycles)] * (PROCS - 1)
    assert codes == [0] * (PROCS - 1)
    assert barrier.broken is False and barrier.n_waiting == 0


@pytest.mark.timeout(120)
def test_semaphore_admits_at_most_its_value(mp):
    sem = mp.Semaphore(2)
    guard = mp.Lock()
    inside = mp.RawValue('i', 0)
    most = mp.RawValue('i', 0)
    procs = [mp.Process(target=st.semaphore_worker, args=(sem, guard, inside, most, 500))
             for _ in range(PROCS)]
    for p in procs:
        p.start()
    assert join_all(procs) == [0] * PROCS
    assert 1 <= most.value <= 2
    assert inside.value == 0
    assert sem.get_value() == 2


@pytest.mark.timeout(120)
def test_condition_bounded_buffer(mp):
    # 2 producers and 2 consumers through an 8-slot ring buffer guarded by
    # one Condition: a lost wake-up would stall (and time out), a race
    # would lose or duplicate items
    per_producer = 5000
    cond = mp.Condition(mp.Lock())
    state = mp.RawArray('i', 3)  # head, tail, count
    slots = mp.RawArray('i', st.BUFFER_SLOTS)
    batches = [range(1, per_producer + 1), range(10_001, 10_001 + per_producer)]
    pipes = [mp.Pipe(duplex=False) for _ in range(2)]
    procs = [mp.Process(target=st.produce, args=(cond, state, slots, list(b)))
             for b in batches]
    procs += [mp.Process(target=st.consume, args=(cond, state, slots, per_producer, w))
              for _, w in pipes]
    for p in procs:
        p.start()
    try:
        results = []
        for r, _ in pipes:
            assert r.poll(TIMEOUT), 'a consumer never finished'
            results.append(r.recv())
    finally:
        codes = join_all(procs)
        for r, w in pipes:
            r.close()
            w.close()
    assert codes == [0] * 4
    assert sum(n for _, n in results) == 2 * per_producer
    assert sum(t for t, _ in results) == sum(sum(b) for b in batches)
    assert list(state) == [0, 0, 0]


@pytest.mark.timeout(120)
def test_event_ping_pong(mp):
    rounds = 2000
    ping, pong = mp.Event(), mp.Event()
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=st.pong, args=(ping, pong, rounds, w))
    p.start()
    try:
        answered = 0
        for _ in range(rounds):
            ping.set()
            if not pong.wait(TIMEOUT):
                break
            pong.clear()
            answered += 1
        assert r.poll(TIMEOUT) and r.recv() == 'done'
    finally:
        codes = join_all([p])
        r.close()
        w.close()
    assert answered == rounds
    assert codes == [0]
