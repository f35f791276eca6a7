"""Tests of exercise 05.1: PipeSemaphore, compared with multiprocessing.Semaphore."""
import multiprocessing as mp
import resource
import time

import pytest

import helpers05

pytestmark = [pytest.mark.ex05_1, pytest.mark.timeout(60)]

ctx = mp.get_context('fork')     # the pipe's fds are inherited, not pickled


def script(sem):
    """The same calls on any semaphore of value 2; what they returned."""
    return [sem.acquire(False), sem.acquire(False), sem.acquire(False),
            sem.get_value(), sem.release(), sem.get_value(),
            sem.release(), sem.release(), sem.get_value(),
            sem.acquire(), sem.acquire(True, 0), sem.get_value()]


def test_same_answers_as_stdlib_without_waiting(ex):
    ours = ex.PipeSemaphore(2)
    try:
        assert script(ours) == script(ctx.Semaphore(2))
    finally:
        ours.close()


def test_initial_values(ex):
    for value in (0, 1, 5, 1000):
        sem = ex.PipeSemaphore(value)
        try:
            assert sem.get_value() == value == ctx.Semaphore(value).get_value()
            assert sem.acquire(False) is (value > 0)
        finally:
            sem.close()
    with pytest.raises(ValueError):
        ex.PipeSemaphore(-1)


def test_timeouts(ex):
    sem = ex.PipeSemaphore(0)
    try:
        t0 = time.monotonic()
        assert sem.acquire(timeout=0.3) is False
        waited = time.monotonic() - t0
        assert 0.25 <= waited < 5, f'acquire(timeout=0.3) returned after {waited:.3f} s'
        t0 = time.monotonic()
        assert sem.acquire(True, -1) is False          # a negative timeout: no wait
        assert sem.acquire(False, 10) is False         # block=False ignores timeout
        assert sem.acquire(timeout=0) is False
        assert time.monotonic() - t0 < 0.5
        sem.release()
        assert sem.acquire(timeout=0.3) is True
    finally:
        sem.close()


def test_release_in_another_process_wakes_the_waiter(ex):
    sem = ex.PipeSemaphore(0)
    try:
        child = ctx.Process(target=helpers05.take_one, args=(sem, 10))
        child.start()
        time.sleep(0.2)             # (not needed for correctness: lets it block first)
        sem.release()
        child.join(15)
        assert child.exitcode == 0, 'the child never got the unit'
        assert sem.get_value() == 0
    finally:
        sem.close()


def test_a_waiter_sleeps_instead_of_spinning(ex):
    sem = ex.PipeSemaphore(0)
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        child = ctx.Process(target=helpers05.take_one, args=(sem, 1.0))
        child.start()
        child.join(10)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert child.exitcode == 1, 'nobody released: acquire must time out'
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        assert cpu < 0.5, f'a waiting process used {cpu:.2f} s of CPU in 1 s: busy waiting?'
    finally:
        sem.close()


def test_each_unit_goes_to_exactly_one_process(ex):
    sem = ex.PipeSemaphore(0)
    try:
        takers = [ctx.Process(target=helpers05.take_one, args=(sem, 1.5)) for _ in range(3)]
        for t in takers:
            t.start()
        sem.release()
        sem.release()               # two units, three takers
        for t in takers:
            t.join(15)
        assert sorted(t.exitcode for t in takers) == [0, 0, 1]
        assert sem.get_value() == 0
    finally:
        sem.close()


def run_contention(sem, processes=4, rounds=100):
    guard = ctx.Lock()
    inside, peak, total = (ctx.Value('i', 0, lock=False) for _ in range(3))
    procs = [ctx.Process(target=helpers05.hammer,
                         args=(sem, rounds, guard, inside, peak, total))
             for _ in range(processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(40)
    return [p.exitcode for p in procs], peak.value, total.value, sem.get_value()


def test_contention_like_stdlib(ex):
    ours = ex.PipeSemaphore(2)
    try:
        codes, peak, total, value = run_contention(ours)
    finally:
        ours.close()
    s_codes, s_peak, s_total, s_value = run_contention(ctx.Semaphore(2))
    assert (codes, total, value) == (s_codes, s_total, s_value) == ([0] * 4, 400, 2)
    assert 1 <= peak <= 2, f'{peak} processes held a unit of a semaphore of value 2'
    assert 1 <= s_peak <= 2
