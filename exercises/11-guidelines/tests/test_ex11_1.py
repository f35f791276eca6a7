"""Tests of exercise 11.1: get everything from the queue, then join."""
import multiprocessing as mp

import pytest

pytestmark = [pytest.mark.ex11_1, pytest.mark.timeout(20)]

MB = 1_000_000                 # an item much larger than a pipe (64 KiB)


@pytest.fixture
def started(monkeypatch):
    """Every process that mp.Process creates during the test."""
    made = []
    real = mp.Process

    def recording(*args, **kwargs):
        p = real(*args, **kwargs)
        made.append(p)
        return p

    monkeypatch.setattr(mp, 'Process', recording)
    return made


def test_make_item(ex):
    assert ex.make_item(0, 3) == 'aaa'
    assert ex.make_item(1, 2) == 'bb'
    assert ex.make_item(25, 1) == 'z'
    assert ex.make_item(26, 4) == 'aaaa'
    assert ex.make_item(7, 0) == ''


def test_produce_in_this_process(ex):
    q = mp.Queue()
    ex.produce(q, 3, 5)
    assert [q.get(timeout=10) for _ in range(3)] == ['aaaaa', 'bbbbb', 'ccccc']
    q.close()
    q.join_thread()


def test_small_items(ex, started):
    assert ex.collect(4, 10) == ['a' * 10, 'b' * 10, 'c' * 10, 'd' * 10]
    assert len(started) == 1, 'start exactly one child with mp.Process'
    assert started[0].exitcode == 0
    assert mp.active_children() == []


def test_no_items(ex, started):
    assert ex.collect(0, 10) == []
    assert [p.exitcode for p in started] == [0]


@pytest.mark.timeout(15)
def test_large_items_do_not_deadlock(ex, started):
    # 4 MB do not fit in a pipe: joining the child before reading hangs
    # here (and pytest-timeout stops the test).
    items = ex.collect(4, MB)
    assert [len(item) for item in items] == [MB] * 4, 'items lost or cut'
    assert [item[0] for item in items] == ['a', 'b', 'c', 'd'], 'wrong order'
    assert len(started) == 1, 'start exactly one child with mp.Process'
    assert started[0].exitcode == 0, 'join the child before returning'
    assert mp.active_children() == [], 'a child is left running'
