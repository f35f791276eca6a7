"""Tests of exercise 06.1: a parallel histogram into a shared Array."""
import collections
import multiprocessing as mp
import random

import pytest

pytestmark = [pytest.mark.ex06_1, pytest.mark.timeout(60)]


def expected(data, bins):
    counter = collections.Counter(data)
    return [counter[b] for b in range(bins)]


def test_count_slice_in_this_process(ex):
    data = mp.RawArray('i', [0, 1, 1, 2, 2, 2, 3, 3, 3, 3])
    counts = mp.Array('i', [10, 0, 0, 0])       # a count already there: add to it
    ex.count_slice(data, 2, 8, counts)          # 1, 2, 2, 2, 3, 3
    assert counts[:] == [10, 1, 3, 2]
    ex.count_slice(data, 0, 0, counts)          # an empty slice changes nothing
    assert counts[:] == [10, 1, 3, 2]


def test_count_slice_takes_the_lock_and_gives_it_back(ex):
    class CountingLock:
        def __init__(self):
            self.inner = mp.RLock()
            self.entered = 0

        def acquire(self, *args, **kwargs):
            self.entered += 1
            return self.inner.acquire(*args, **kwargs)

        def release(self):
            return self.inner.release()

        def __enter__(self):
            self.acquire()
            return self

        def __exit__(self, *exc_info):
            self.release()

    lock = CountingLock()
    data = mp.RawArray('i', [1] * 500 + [0] * 500)
    counts = mp.Array('i', 2, lock=lock)
    ex.count_slice(data, 0, 1000, counts)
    assert counts[:] == [500, 500]
    assert lock.entered >= 1, 'count_slice never took counts.get_lock()'
    assert lock.inner.acquire(False), 'count_slice left the lock held'
    lock.inner.release()


@pytest.mark.parametrize('workers', [1, 2, 4])
def test_small_histogram(ex, workers):
    data = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4]
    result = ex.parallel_histogram(data, 10, workers)
    assert result == expected(data, 10)
    assert type(result) is list and all(type(n) is int for n in result)


def test_equals_counter_on_random_data(ex):
    rng = random.Random(6)
    data = [rng.randrange(16) for _ in range(40_000)]
    assert ex.parallel_histogram(data, 16, 4) == expected(data, 16)
    assert sum(ex.parallel_histogram(data, 16, 3)) == len(data)


def test_more_workers_than_items_and_empty_data(ex):
    assert ex.parallel_histogram([2, 0], 3, workers=5) == [1, 0, 1]
    assert ex.parallel_histogram([], 4) == [0, 0, 0, 0]
    assert mp.active_children() == [], 'join every process'


def test_values_out_of_range_raise_before_starting(ex):
    for bad in ([0, 1, 5], [-1, 0]):
        with pytest.raises(ValueError):
            ex.parallel_histogram(bad, 5)
    assert mp.active_children() == []


def test_works_with_spawn(ex):
    rng = random.Random(60)
    data = [rng.randrange(7) for _ in range(3000)]
    ctx = mp.get_context('spawn')
    assert ex.parallel_histogram(data, 7, 2, ctx=ctx) == expected(data, 7)
