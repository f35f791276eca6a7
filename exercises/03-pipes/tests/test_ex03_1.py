"""Tests of exercise 03.1: worker() and pool_map()."""
import multiprocessing as mp
import os
import time

import pytest

import helpers03

pytestmark = [pytest.mark.ex03_1, pytest.mark.timeout(30)]

# The results are also compared with the stdlib's Pool.map -- but only when
# `multiprocessing` is the stdlib (not under `--mp teachmp`, where it would
# compare with teachmp's own Pool, which is not what this exercise is about).
STDLIB = os.environ.get('TEACHMP_EXERCISE_MP', 'stdlib') == 'stdlib'


def test_worker_protocol(ex):
    here, there = mp.Pipe()
    proc = mp.Process(target=ex.worker, args=(there, abs))
    proc.start()
    there.close()
    try:
        here.send((0, -5))
        assert here.recv() == (0, True, 5)
        here.send((7, 'not a number'))
        index, ok, exc = here.recv()
        assert (index, ok, type(exc)) == (7, False, TypeError)
        here.send(None)
        proc.join(10)
        assert proc.exitcode == 0
        with pytest.raises(EOFError):      # the worker closed its end
            here.recv()
    finally:
        here.close()
        if proc.is_alive():
            proc.kill()
        proc.join()


def test_same_results_as_stdlib_pool_map(ex):
    items = list(range(-10, 10))
    expected = [x * x for x in items]
    if STDLIB:
        with mp.Pool(2) as pool:
            assert pool.map(helpers03.square, items) == expected
    assert ex.pool_map(helpers03.square, items, workers=3) == expected


def test_no_items(ex):
    assert ex.pool_map(helpers03.square, [], workers=2) == []


def test_work_is_spread_over_the_workers(ex):
    pids = ex.pool_map(helpers03.pid_of, range(8), workers=3)
    assert os.getpid() not in pids
    assert len(set(pids[:3])) == 3, 'each worker gets one of the first items'
    assert len(set(pids)) <= 3


def test_lowest_failing_item_raises_like_stdlib(ex):
    # The stdlib raises the error of whichever failing item it notices
    # first; pool_map() is asked to be deterministic: the lowest index.
    if STDLIB:
        with mp.Pool(2) as pool, pytest.raises(ValueError, match='odd: [13]'):
            pool.map(helpers03.fail_on_odd, [0, 1, 2, 3])
    with pytest.raises(ValueError, match='odd: 1'):
        ex.pool_map(helpers03.fail_on_odd, [0, 1, 2, 3], workers=2)


def test_dead_worker_is_noticed(ex):
    t0 = time.monotonic()
    with pytest.raises(ChildProcessError):
        ex.pool_map(helpers03.die_on_three, range(6), workers=2, timeout=20)
    assert time.monotonic() - t0 < 10, 'a dead worker must not look like a slow one'


def test_timeout(ex):
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        ex.pool_map(helpers03.hang, [1, 2, 3], workers=2, timeout=0.5)
    assert time.monotonic() - t0 < 5
