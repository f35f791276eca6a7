"""Tests of exercise 08.1: imap_unordered on top of apply_async."""
import collections
import inspect
import multiprocessing as mp
import time

import pytest

import helpers08

pytestmark = [pytest.mark.ex08_1, pytest.mark.timeout(60)]


class OnlyApplyAsync:
    """A pool that lets through apply_async and nothing else."""

    def __init__(self, pool):
        self._pool = pool
        self.calls = 0

    def apply_async(self, *args, **kwargs):
        self.calls += 1
        return self._pool.apply_async(*args, **kwargs)

    def __getattr__(self, name):
        raise AssertionError(f'use only apply_async, not pool.{name}')


def test_is_a_generator(ex):
    with mp.Pool(2) as pool:
        gen = ex.imap_unordered(pool, helpers08.square, [1, 2, 3])
        assert inspect.isgenerator(gen), 'imap_unordered must be a generator (use yield)'
        assert sorted(gen) == [1, 4, 9]


def test_same_multiset_as_pool_imap_unordered(ex):
    items = list(range(-20, 60)) + [3, 3, 3]
    with mp.Pool(3) as pool:
        mine = collections.Counter(ex.imap_unordered(pool, helpers08.square, items))
        theirs = collections.Counter(pool.imap_unordered(helpers08.square, items))
    assert mine == theirs


def test_uses_only_apply_async_one_task_per_item(ex):
    with mp.Pool(2) as pool:
        only = OnlyApplyAsync(pool)
        got = list(ex.imap_unordered(only, helpers08.square, iter(range(10))))
    assert sorted(got) == [x * x for x in range(10)]
    assert only.calls == 10


def test_empty_iterable(ex):
    with mp.Pool(1) as pool:
        assert list(ex.imap_unordered(pool, helpers08.square, [])) == []


def test_yields_in_finishing_order(ex):
    # The first task sleeps; the three quick ones submitted after it must
    # come out before it, as with Pool.imap_unordered.
    with mp.Pool(2) as pool:
        got = list(ex.imap_unordered(pool, helpers08.sleep_then_echo, [1.5, 0, 0, 0]))
    assert sorted(got) == [0, 0, 0, 1.5]
    assert got[-1] == 1.5, f'results came out in submission order: {got}'


def test_first_result_before_the_last_is_done(ex):
    # Lazy on the way out: the quick result is yielded while the slow
    # task is still running, not after everything has finished.
    with mp.Pool(2) as pool:
        t0 = time.monotonic()
        gen = ex.imap_unordered(pool, helpers08.sleep_then_echo, [2.0, 0])
        assert next(gen) == 0
        assert time.monotonic() - t0 < 1.5, 'the first result waited for the slow task'
        assert next(gen) == 2.0


def test_a_failing_task_raises_its_exception(ex):
    with mp.Pool(2) as pool:
        with pytest.raises(ZeroDivisionError):
            list(ex.imap_unordered(pool, helpers08.inverse, [1, 2, 0, 4]))
        # the pool is still usable afterwards
        assert sorted(ex.imap_unordered(pool, helpers08.inverse, [1, 2])) == [0.5, 1.0]


def test_timeout_raises_multiprocessing_timeout_error(ex):
    with mp.Pool(1) as pool:
        gen = ex.imap_unordered(pool, helpers08.sleep_then_echo, [3], timeout=0.3)
        t0 = time.monotonic()
        with pytest.raises(mp.TimeoutError):
            next(gen)
        assert time.monotonic() - t0 < 2.5
