"""Tests of exercise 05.3: CondBarrier, compared with multiprocessing.Barrier."""
import multiprocessing as mp
import time

import pytest

import helpers05

pytestmark = [pytest.mark.ex05_3, pytest.mark.timeout(90)]


def run_rounds(barrier, parties, rounds):
    data = mp.RawArray('i', [-1] * parties)
    indices = mp.RawArray('i', parties * rounds)
    procs = [mp.Process(target=helpers05.rounds_worker,
                        args=(i, barrier, rounds, data, indices, parties))
             for i in range(parties)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    per_round = [sorted(indices[r * parties:(r + 1) * parties]) for r in range(rounds)]
    return [p.exitcode for p in procs], per_round


def test_one_party_never_waits(ex):
    barrier = ex.CondBarrier(1)
    assert [barrier.wait(timeout=5) for _ in range(3)] == [0, 0, 0]
    assert barrier.n_waiting == 0


def test_rounds_like_stdlib(ex):
    parties, rounds = 4, 100
    codes, per_round = run_rounds(ex.CondBarrier(parties), parties, rounds)
    s_codes, s_per_round = run_rounds(mp.Barrier(parties), parties, rounds)
    assert s_codes == [0] * parties and s_per_round == [list(range(parties))] * rounds
    assert codes == [0] * parties, helpers05.describe_exit_codes(codes)
    assert per_round == [list(range(parties))] * rounds, \
        'each round must hand out the indices 0 .. parties-1 once each'


def test_n_waiting_and_the_last_one_opens(ex):
    barrier = ex.CondBarrier(2)
    child = mp.Process(target=helpers05.wait_once, args=(barrier, 20))
    child.start()
    try:
        deadline = time.monotonic() + 10
        while barrier.n_waiting != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert barrier.n_waiting == 1
        assert barrier.wait(timeout=10) == 1       # the second to arrive
        child.join(10)
        assert child.exitcode == 0
        assert barrier.n_waiting == 0
    finally:
        if child.is_alive():
            child.kill()
        child.join()


def test_timeout_leaves_the_round(ex):
    barrier = ex.CondBarrier(2)
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        barrier.wait(timeout=0.3)
    assert 0.25 <= time.monotonic() - t0 < 5
    assert barrier.n_waiting == 0, 'a waiter that timed out is no longer waiting'
    # and the barrier still works afterwards
    child = mp.Process(target=helpers05.wait_once, args=(barrier, 20))
    child.start()
    try:
        assert barrier.wait(timeout=20) in (0, 1)
        child.join(10)
        assert child.exitcode == 0
    finally:
        if child.is_alive():
            child.kill()
        child.join()
