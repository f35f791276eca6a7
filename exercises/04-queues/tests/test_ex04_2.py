"""Tests of exercise 04.2: producers, consumers and poison pills."""
import collections
import multiprocessing as mp
import queue

import pytest

import helpers04

pytestmark = [pytest.mark.ex04_2, pytest.mark.timeout(60)]


def drain(q, n):
    return [q.get(timeout=10) for _ in range(n)]


def test_producer_puts_in_order(ex):
    tasks = mp.Queue()
    ex.producer(range(5), tasks)
    assert drain(tasks, 5) == [0, 1, 2, 3, 4]
    with pytest.raises(queue.Empty):
        tasks.get(timeout=0.2)


def test_consumer_stops_at_the_pill(ex):
    tasks, results = mp.Queue(), mp.Queue()
    for item in [3, 4, ex.STOP, 5]:
        tasks.put(item)
    ex.consumer(helpers04.square, tasks, results)   # in this process: must return
    assert drain(results, 3) == [(3, 9), (4, 16), ex.STOP]
    assert tasks.get(timeout=10) == 5, 'the consumer must not take more after the pill'


def test_every_item_processed_exactly_once(ex):
    batches = [range(0, 60), range(60, 130), range(130, 200)]
    pairs = ex.run_pipeline(helpers04.square, batches, consumers=4)
    counts = collections.Counter(item for item, _ in pairs)
    assert sorted(counts) == list(range(200)), 'items lost'
    assert max(counts.values()) == 1, 'items processed twice'
    assert all(result == item * item for item, result in pairs)
    assert mp.active_children() == [], 'join every process'


def test_more_consumers_than_items(ex):
    assert ex.run_pipeline(helpers04.negate, [[1], [2]], consumers=5) \
        in ([(1, -1), (2, -2)], [(2, -2), (1, -1)])
    assert mp.active_children() == []


def test_nothing_to_do(ex):
    assert ex.run_pipeline(helpers04.square, [], consumers=3) == []
    assert ex.run_pipeline(helpers04.square, [[], []], consumers=2) == []
    assert mp.active_children() == []


def test_large_results_do_not_deadlock(ex):
    # Each result is bigger than a pipe: a consumer cannot exit until its
    # results are read.  Joining the consumers before reading hangs here.
    pairs = ex.run_pipeline(helpers04.big, [range(12)], consumers=2)
    assert sorted(item for item, _ in pairs) == list(range(12))
    assert all(result == helpers04.big(item) for item, result in pairs)


def test_the_work_is_shared(ex):
    pairs = ex.run_pipeline(helpers04.slow_pid, [range(40), range(40, 80)], consumers=3)
    assert len(pairs) == 80
    assert len({pid for _, pid in pairs}) >= 2, 'only one consumer did any work'
