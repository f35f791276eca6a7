"""Tests of exercise 04.1: FeederQueue, side by side with multiprocessing.Queue."""
import multiprocessing as mp
import queue
import threading
import time

import pytest

import helpers04

pytestmark = [pytest.mark.ex04_1, pytest.mark.timeout(60)]

BIG = 'x' * 1_000_000          # much more than a pipe holds (64 KiB)


def both(ex):
    """The student's queue and the library's, to run the same steps on."""
    return [('FeederQueue', ex.FeederQueue()), ('mp.Queue', mp.Queue())]


def finish(q):
    q.close()
    q.join_thread()


def test_fifo_in_one_process(ex):
    for name, q in both(ex):
        for item in ['a', 1, (2, 3), {'k': [4]}, None]:
            q.put(item)
        got = [q.get(timeout=10) for _ in range(5)]
        assert got == ['a', 1, (2, 3), {'k': [4]}, None], name
        finish(q)


def test_put_never_blocks(ex):
    # Nobody reads, and the item does not fit in the pipe: put() must still
    # return at once, because the feeder thread does the writing.
    for name, q in both(ex):
        start = time.monotonic()
        q.put(BIG)
        q.put('after')
        assert time.monotonic() - start < 2, f'{name}: put() blocked'
        assert q.get(timeout=10) == BIG, name
        assert q.get(timeout=10) == 'after', name
        finish(q)


def test_get_blocks_until_an_item_arrives(ex):
    for name, q in both(ex):
        got = []
        reader = threading.Thread(target=lambda: got.append(q.get(timeout=20)))
        reader.start()
        reader.join(0.3)
        assert reader.is_alive() and not got, f'{name}: get() returned with nothing put'
        q.put('late')
        reader.join(20)
        assert got == ['late'], name
        finish(q)


def test_get_timeout_and_nonblocking_raise_queue_empty(ex):
    for name, q in both(ex):
        start = time.monotonic()
        with pytest.raises(queue.Empty):
            q.get(timeout=0.3)
        waited = time.monotonic() - start
        assert 0.25 <= waited < 5, f'{name}: get(timeout=0.3) waited {waited:.2f} s'
        start = time.monotonic()
        with pytest.raises(queue.Empty):
            q.get(block=False)
        assert time.monotonic() - start < 0.2, f'{name}: get(block=False) waited'
        q.put('there')
        assert q.get(timeout=10) == 'there', name
        finish(q)


def test_two_producer_processes_keep_their_order(ex):
    n = 500
    for name, q in both(ex):
        procs = [mp.Process(target=helpers04.produce, args=(q, who, n))
                 for who in ('p', 'q')]
        for p in procs:
            p.start()
        try:
            arrived = [q.get(timeout=20) for _ in range(2 * n)]
        finally:
            for p in procs:
                p.join(20)
        assert [p.exitcode for p in procs] == [0, 0], name
        for who in ('p', 'q'):
            mine = [i for w, i in arrived if w == who]
            assert mine == list(range(n)), f"{name}: {who}'s items lost or out of order"
        with pytest.raises(queue.Empty):
            q.get(timeout=0.2)
        finish(q)


def test_parent_puts_then_forks(ex):
    # The child must not inherit the parent's buffer or feeder thread.
    q = ex.FeederQueue()
    q.put(('parent', 0))
    assert q.get(timeout=10) == ('parent', 0)
    child = mp.Process(target=helpers04.produce, args=(q, 'child', 3))
    child.start()
    got = [q.get(timeout=20) for _ in range(3)]
    child.join(20)
    assert child.exitcode == 0
    assert got == [('child', 0), ('child', 1), ('child', 2)]
    q.put(('parent', 1))
    assert q.get(timeout=10) == ('parent', 1)
    finish(q)


def test_close_flushes_and_refuses_more(ex):
    q = ex.FeederQueue()
    for i in range(100):
        q.put(i)
    q.close()
    with pytest.raises(ValueError):
        q.put(100)
    q.join_thread()                 # everything is in the pipe now
    assert [q.get(block=False) for _ in range(100)] == list(range(100))
    with pytest.raises(queue.Empty):
        q.get(block=False)


def test_close_without_puts(ex):
    q = ex.FeederQueue()
    q.close()
    done = threading.Thread(target=q.join_thread, daemon=True)
    done.start()
    done.join(5)
    assert not done.is_alive(), 'join_thread() waits although nothing was put'


def test_unpicklable_item_is_reported_and_skipped(ex, capfd):
    q = ex.FeederQueue()
    q.put(threading.Lock())         # cannot be pickled
    q.put('next')
    assert q.get(timeout=10) == 'next', 'the feeder thread must carry on'
    finish(q)
    err = capfd.readouterr().err
    assert 'lock' in err.lower(), f'say on stderr what was dropped (got {err!r})'
