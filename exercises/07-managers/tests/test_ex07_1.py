"""Tests of exercise 07.1: a shared counter service with a custom manager."""
import threading
import multiprocessing as mp
from multiprocessing.managers import BaseManager

import pytest

import helpers07

pytestmark = [pytest.mark.ex07_1, pytest.mark.timeout(60)]


def test_counter_counts_in_this_process(ex):
    c = ex.Counter()
    assert c.value() == 0
    assert c.increment() == 1
    assert c.increment(5) == 6
    assert c.value() == 6
    assert ex.Counter(10).increment() == 11


def test_counter_loses_no_update_between_threads(ex):
    # What the manager's server does: one thread per connection.
    c = ex.Counter(0, delay=0.002)
    threads = [threading.Thread(target=helpers07.increment_many, args=(c, 10))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert c.value() == 80, 'lost updates: guard the read-sleep-write with a Lock'


def test_hammer_calls_increment(ex):
    c = ex.Counter()
    ex.hammer(c, 7)
    assert c.value() == 7


def test_counter_manager_makes_counters(ex):
    assert issubclass(ex.CounterManager, BaseManager)
    assert hasattr(ex.CounterManager, 'Counter'), \
        "register Counter on CounterManager (typeid 'Counter')"
    with ex.CounterManager() as manager:
        c = manager.Counter(40)
        assert c.increment(2) == 42
        assert c.value() == 42
        other = manager.Counter()
        assert other.value() == 0           # a second, separate counter
        assert c.value() == 42
    assert mp.active_children() == []


def test_processes_through_the_manager_lose_no_update(ex):
    with ex.CounterManager() as manager:
        c = manager.Counter(0, delay=0.001)
        procs = [mp.Process(target=helpers07.increment_many, args=(c, 15))
                 for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(30)
        assert [p.exitcode for p in procs] == [0] * 4
        assert c.value() == 60


@pytest.mark.parametrize('workers, times, delay', [(1, 5, 0.0), (4, 200, 0.0), (4, 10, 0.002)])
def test_count_in_parallel(ex, workers, times, delay):
    assert ex.count_in_parallel(workers, times, delay) == workers * times
    assert mp.active_children() == [], 'shut the manager down (use with)'


def test_count_in_parallel_with_spawn(ex):
    ctx = mp.get_context('spawn')
    assert ex.count_in_parallel(2, 20, 0.001, ctx=ctx) == 40
