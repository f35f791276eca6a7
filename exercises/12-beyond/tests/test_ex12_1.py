"""Tests of exercise 12.1: one answer, whatever runs the tasks."""
import multiprocessing as mp
import random

import pytest

pytestmark = [pytest.mark.ex12_1, pytest.mark.timeout(30)]

TASKS = [(seed, 2_000) for seed in range(8)]


def test_count_inside_by_hand(ex):
    # random.Random(1): (0.134, 0.847) (0.764, 0.255) (0.495, 0.449) -> 3 inside
    # random.Random(2): (0.956, 0.948) (0.057, 0.085)                -> 1 inside
    assert ex.count_inside((1, 3)) == 3
    assert ex.count_inside((2, 2)) == 1
    assert ex.count_inside((5, 0)) == 0


def test_estimate_by_hand(ex):
    assert ex.estimate_pi([(1, 3), (2, 2)], map) == 4 * 4 / 5 == 3.2


def test_no_global_random_state(ex):
    random.seed(1)
    first = ex.estimate_pi(TASKS, map)
    random.seed(99)
    random.random()
    assert ex.estimate_pi(TASKS, map) == first


def test_map_func_is_called_once(ex):
    calls = []

    def spy(func, iterable):
        calls.append(func)
        return map(func, iterable)          # an iterator, like the builtin

    result = ex.estimate_pi(TASKS, spy)
    assert calls == [ex.count_inside], 'call map_func(count_inside, tasks) once'
    assert 3.0 < result < 3.3


def test_order_of_results_does_not_matter(ex):
    def backwards(func, iterable):
        # An engine that hands results back in another order (imap_unordered).
        return [func(t) for t in reversed(list(iterable))]

    assert ex.estimate_pi(TASKS, backwards) == ex.estimate_pi(TASKS, map)


def test_same_answer_with_map_and_a_pool(ex):
    expected = ex.estimate_pi(TASKS, map)
    pool = mp.Pool(2)
    try:
        got = ex.estimate_pi(TASKS, pool.map)
    finally:
        pool.close()
        pool.join()
    assert got == expected, 'the answer depends on what runs the tasks'
    assert mp.active_children() == []


def test_nothing_to_estimate(ex):
    with pytest.raises(ValueError):
        ex.estimate_pi([], map)
    with pytest.raises(ValueError):
        ex.estimate_pi([(1, 0), (2, 0)], map)
