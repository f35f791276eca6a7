"""Condition, Event and Barrier: the stdlib's semantics, in one process
(threads) and across processes (fork and spawn).

Every test runs on teachmp and on the stdlib and asserts the same observable
result.  Waiters are sequenced with the objects themselves: a child says
"ready" while it holds the condition's lock, so the parent can only take the
lock once the child is inside ``wait()``.
"""

from __future__ import annotations

import functools
import threading
import time
from threading import BrokenBarrierError

import pytest

import sync_targets as st
from support import TIMEOUT, finish, normalise, recv, start

# the defining module at the start of a repr, in both spellings
# (support.normalise makes it MOD.: "<MOD.Event(...)>")
MODULE = r'(?<=<)(multiprocessing\.synchronize|teachmp\.condition)\.'


def has_own_repr(name):
    """Whether the stdlib's class *name* has a repr of its own (3.11+);
    before that it has object's default repr, which is not compared."""
    import multiprocessing.synchronize

    return '__repr__' in vars(getattr(multiprocessing.synchronize, name))


def wait_until(predicate, timeout=TIMEOUT):
    """Poll *predicate* until true (for states with no event to wait on)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('condition never became true')
        time.sleep(0.005)


# -- Condition in one process -----------------------------------------------------


def test_condition_repr(mpmod):
    assert repr(mpmod.Condition()) == '<Condition(<RLock(None, 0)>, 0)>'
    cond = mpmod.Condition(mpmod.Lock())
    assert repr(cond) == '<Condition(<Lock(owner=None)>, 0)>'
    with cond:
        assert repr(cond) == '<Condition(<Lock(owner=MainProcess)>, 0)>'


def test_condition_uses_given_lock(mpmod):
    lock = mpmod.RLock()
    cond = mpmod.Condition(lock)
    with cond:
        assert repr(lock) == '<RLock(MainProcess, 1)>'
        assert cond.acquire() is True  # the lock's own methods
        assert repr(lock) == '<RLock(MainProcess, 2)>'
        cond.release()
    assert repr(lock) == '<RLock(None, 0)>'
    assert cond.acquire(False) is True
    cond.release()


def test_condition_misuse(mpmod):
    cond = mpmod.Condition()
    with pytest.raises(AssertionError, match=r'must acquire\(\) condition before using wait\(\)'):
        cond.wait(0.01)
    with pytest.raises(AssertionError, match='lock is not owned'):
        cond.notify()
    with pytest.raises(AssertionError, match='lock is not owned'):
        cond.notify_all()
    with pytest.raises(AssertionError):
        cond.wait_for(lambda: False, 0.01)


def test_condition_wait_timeouts(mpmod):
    cond = mpmod.Condition()
    with cond:
        t0 = time.monotonic()
        assert cond.wait(0.1) is False
        assert time.monotonic() - t0 >= 0.08
        assert cond.wait(0) is False
        assert cond.wait(-1) is False
        # the lock is held again after a timed-out wait
        assert repr(cond) == '<Condition(<RLock(MainProcess, 1)>, 0)>'
        cond.notify()  # nobody waits: nothing happens
        cond.notify_all()


def test_condition_wait_for_results(mpmod):
    cond = mpmod.Condition()
    with cond:
        # true at once: returned without waiting, whatever the timeout
        assert cond.wait_for(lambda: 'yes', 0) == 'yes'
        assert cond.wait_for(lambda: 42) == 42
        calls = []
        t0 = time.monotonic()
        result = cond.wait_for(lambda: calls.append(1) or [], 0.1)
        assert result == [] and type(result) is list  # the predicate's value
        assert time.monotonic() - t0 >= 0.08
        assert len(calls) >= 2  # evaluated before and after waiting


def test_condition_wait_releases_recursive_lock_fully(mpmod):
    cond = mpmod.Condition()  # RLock
    notified = []

    def notifier():
        # only possible while the main thread is inside wait(): the lock is
        # held twice before it
        with cond:
            notified.append(True)
            cond.notify()

    with cond:
        with cond:
            t = threading.Thread(target=notifier)
            t.start()
            assert cond.wait(TIMEOUT) is True
            assert repr(cond) == '<Condition(<RLock(MainProcess, 2)>, 0)>'
    t.join(TIMEOUT)
    assert notified == [True]
    assert repr(cond) == '<Condition(<RLock(None, 0)>, 0)>'


def test_condition_threads_notify_n(mpmod):
    cond = mpmod.Condition(mpmod.Lock())
    ready = mpmod.Semaphore(0)
    results = []

    def waiter():
        with cond:
            ready.release()
            results.append(cond.wait(TIMEOUT))

    threads = [threading.Thread(target=waiter) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in threads:
            assert ready.acquire(timeout=TIMEOUT)
        with cond:  # all three are inside wait() now
            assert repr(cond) == '<Condition(<Lock(owner=MainProcess)>, 3)>'
            cond.notify(2)
        wait_until(lambda: len(results) == 2)
        with cond:
            assert repr(cond) == '<Condition(<Lock(owner=MainProcess)>, 1)>'
            cond.notify_all()
    finally:
        for t in threads:
            t.join(TIMEOUT)
    assert results == [True, True, True]


# -- Condition across processes --------------------------------------------------------


def test_condition_notify_child(mp):
    cond = mp.Condition()
    a, b = mp.Pipe()
    p = start(mp, st.condition_waiter, cond, b)
    try:
        assert recv(a) == 'ready'
        with cond:  # the child is inside wait() once we hold the lock
            assert repr(cond) == '<Condition(<RLock(MainProcess, 1)>, 1)>'
            cond.notify()
        assert recv(a) == ('woke', True)
    finally:
        finish(p)
        a.close()
        b.close()


def test_condition_wait_timeout_in_child(mp):
    cond = mp.Condition(mp.Lock())
    a, b = mp.Pipe()
    p = start(mp, st.condition_waiter, cond, b, 0.1)
    try:
        assert recv(a) == 'ready'
        assert recv(a) == ('woke', False)
    finally:
        finish(p)
        a.close()
        b.close()
    # a waiter that timed out is not woken by, nor counted in, a later notify
    with cond:
        assert repr(cond) == '<Condition(<Lock(owner=MainProcess)>, 0)>'
        cond.notify()


def test_condition_notify_n_and_all_across_processes(mp):
    cond = mp.Condition()
    pipes = [mp.Pipe() for _ in range(3)]
    procs = [start(mp, st.condition_waiter, cond, b) for _, b in pipes]
    try:
        for a, _ in pipes:
            assert recv(a) == 'ready'
        with cond:  # every child is inside wait()
            cond.notify(2)
        # collect exactly two wake-ups (in whatever order)
        got = []
        deadline = time.monotonic() + TIMEOUT
        while len(got) < 2 and time.monotonic() < deadline:
            for a, _ in pipes:
                if a not in [g[0] for g in got] and a.poll(0.01):
                    got.append((a, a.recv()))
        assert [msg for _, msg in got] == [('woke', True)] * 2
        (last,) = [a for a, _ in pipes if a not in [g[0] for g in got]]
        assert not last.poll(0.2)  # the third one still sleeps
        with cond:
            cond.notify_all()
        assert recv(last) == ('woke', True)
    finally:
        finish(*procs)
        for a, b in pipes:
            a.close()
            b.close()


def test_condition_wait_for_across_processes(mp):
    cond = mp.Condition()
    value = mp.RawValue('i', 0)
    a, b = mp.Pipe()
    p = start(mp, st.condition_wait_for, cond, value, 3, b)
    try:
        assert recv(a) == 'ready'
        for v in (1, 2, 3):
            with cond:
                value.value = v
                cond.notify_all()
        result, seen, calls = recv(a)
        assert result is True and seen == 3
        assert 2 <= calls <= 4
    finally:
        finish(p)
        a.close()
        b.close()


def test_condition_wait_for_timeout_in_child(mp):
    cond = mp.Condition()
    value = mp.RawValue('i', 0)
    a, b = mp.Pipe()
    p = start(mp, st.condition_wait_for, cond, value, 3, b, 0.1)
    try:
        assert recv(a) == 'ready'
        result, seen, calls = recv(a)
        assert (result, seen) == (False, 0) and calls >= 2
    finally:
        finish(p)
        a.close()
        b.close()


def test_condition_misuse_in_child(mp):
    cond = mp.Condition()
    a, b = mp.Pipe()
    with cond:  # held by the parent: still not the child's
        p = start(mp, st.condition_misuse, cond, b)
        try:
            wait_result, notify_result = recv(a)
        finally:
            finish(p)
            a.close()
            b.close()
    assert wait_result[:2] == ('exc', 'AssertionError')
    assert notify_result[:2] == ('exc', 'AssertionError')


# -- Event ------------------------------------------------------------------------------


def test_event_api(mpmod):
    import multiprocessing

    event = mpmod.Event()
    assert event.is_set() is False
    assert event.wait(0) is False
    t0 = time.monotonic()
    assert event.wait(0.1) is False
    assert time.monotonic() - t0 >= 0.08
    assert event.set() is None
    assert event.is_set() is True
    assert event.wait() is True
    assert event.wait(0) is True
    event.set()  # setting twice is harmless
    assert event.is_set() is True
    assert event.clear() is None
    assert event.is_set() is False
    event.clear()
    assert event.wait(-1) is False
    if not has_own_repr('Event'):
        return
    # the repr says the same as the stdlib's
    ref = multiprocessing.Event()
    assert normalise(repr(event), MODULE) == normalise(repr(ref), MODULE)
    event.set()
    ref.set()
    assert normalise(repr(event), MODULE) == normalise(repr(ref), MODULE)


def test_event_wakes_threads(mpmod):
    event = mpmod.Event()
    results = []
    threads = [threading.Thread(target=lambda: results.append(event.wait(TIMEOUT)))
               for _ in range(3)]
    for t in threads:
        t.start()
    event.set()
    for t in threads:
        t.join(TIMEOUT)
    assert results == [True, True, True]


def test_event_set_by_parent(mp):
    event = mp.Event()
    a, b = mp.Pipe()
    p = start(mp, st.event_waiter, event, b)
    try:
        assert recv(a) == ('ready', False)
        event.set()
        assert recv(a) is True
    finally:
        finish(p)
        a.close()
        b.close()


def test_event_wait_timeout_in_child(mp):
    event = mp.Event()
    a, b = mp.Pipe()
    p = start(mp, st.event_waiter, event, b, 0.1)
    try:
        assert recv(a) == ('ready', False)
        assert recv(a) is False
    finally:
        finish(p)
        a.close()
        b.close()


def test_event_set_by_child_and_state_inherited(mp):
    event = mp.Event()
    a, b = mp.Pipe()
    p = start(mp, st.event_setter, event, b)
    try:
        assert recv(a) is True
        assert event.wait(TIMEOUT) is True
        assert event.is_set() is True
    finally:
        finish(p)
    # a set event given to a new child is seen set there
    p = start(mp, st.event_report, event, b)
    try:
        assert recv(a) is True
    finally:
        finish(p)
    event.clear()
    p = start(mp, st.event_report, event, b)
    try:
        assert recv(a) is False
    finally:
        finish(p)
        a.close()
        b.close()


# -- Barrier ---------------------------------------------------------------------------


def test_barrier_properties_and_repr(mpmod):
    import multiprocessing

    barrier = mpmod.Barrier(3)
    ref = multiprocessing.Barrier(3)
    assert (barrier.parties, barrier.n_waiting, barrier.broken) == (3, 0, False)
    reprs = [(normalise(repr(barrier), MODULE), normalise(repr(ref), MODULE))]
    barrier.abort()
    ref.abort()
    assert (barrier.parties, barrier.n_waiting, barrier.broken) == (3, 0, True)
    reprs.append((normalise(repr(barrier), MODULE), normalise(repr(ref), MODULE)))
    if has_own_repr('Barrier'):
        assert reprs[0][0] == '<MOD.Barrier at 0xADDR: waiters=0/3>'
        for mine, theirs in reprs:
            assert mine == theirs


def test_barrier_with_threads(mpmod):
    actions = []
    barrier = mpmod.Barrier(3, action=lambda: actions.append(threading.current_thread()))
    indices = []

    def party():
        indices.append(barrier.wait(TIMEOUT))

    threads = [threading.Thread(target=party) for _ in range(2)]
    try:
        for n, t in enumerate(threads, 1):
            t.start()
            wait_until(lambda: barrier.n_waiting == n)
        mine = barrier.wait(TIMEOUT)
    finally:
        for t in threads:
            t.join(TIMEOUT)
    # the index is the order of arrival; the last to arrive runs the action
    assert mine == 2
    assert sorted(indices) == [0, 1]
    assert actions == [threading.current_thread()]
    assert (barrier.n_waiting, barrier.broken) == (0, False)


def test_barrier_single_party(mpmod):
    calls = []
    barrier = mpmod.Barrier(1, action=lambda: calls.append(1))
    assert [barrier.wait() for _ in range(3)] == [0, 0, 0]
    assert calls == [1, 1, 1]


def test_barrier_timeout_breaks_it(mpmod):
    barrier = mpmod.Barrier(2, timeout=0.1)
    t0 = time.monotonic()
    with pytest.raises(BrokenBarrierError):
        barrier.wait()  # the barrier's default timeout
    assert time.monotonic() - t0 >= 0.08
    assert barrier.broken is True
    with pytest.raises(BrokenBarrierError):
        barrier.wait(TIMEOUT)  # broken: raises at once
    barrier.reset()
    assert barrier.broken is False
    with pytest.raises(BrokenBarrierError):
        barrier.wait(0.05)  # a wait() timeout overrides the default
    assert barrier.broken is True


def test_barrier_abort_and_reset_wake_waiter(mpmod):
    barrier = mpmod.Barrier(2)
    outcomes = []

    def party():
        try:
            outcomes.append(barrier.wait(TIMEOUT))
        except BrokenBarrierError:
            outcomes.append('broken')

    for how in ('abort', 'reset'):
        t = threading.Thread(target=party)
        t.start()
        try:
            wait_until(lambda: barrier.n_waiting == 1)
            getattr(barrier, how)()
        finally:
            t.join(TIMEOUT)
        assert outcomes.pop() == 'broken'
        assert barrier.broken is (how == 'abort')
        if how == 'abort':
            with pytest.raises(BrokenBarrierError):
                barrier.wait(TIMEOUT)
            barrier.reset()
        assert barrier.n_waiting == 0


def test_barrier_action_error_breaks_it(mpmod):
    def action():
        raise KeyError('in the action')

    barrier = mpmod.Barrier(1, action=action)
    with pytest.raises(KeyError):
        barrier.wait(TIMEOUT)
    assert barrier.broken is True
    with pytest.raises(BrokenBarrierError):
        barrier.wait(TIMEOUT)


def test_barrier_across_processes_with_action(mp):
    counter = mp.Value('i', 0)
    barrier = mp.Barrier(3, action=functools.partial(st.add_to_value, counter, 1))
    pipes = [mp.Pipe() for _ in range(2)]
    procs = [start(mp, st.barrier_waiter, barrier, b, 5) for _, b in pipes]
    try:
        mine = [barrier.wait(TIMEOUT) for _ in range(5)]
        theirs = [recv(a) for a, _ in pipes]
    finally:
        finish(*procs)
        for a, b in pipes:
            a.close()
            b.close()
    for cycle in range(5):
        assert sorted([mine[cycle], theirs[0][cycle], theirs[1][cycle]]) == [0, 1, 2]
    assert counter.value == 5  # the action ran once per cycle
    assert (barrier.n_waiting, barrier.broken) == (0, False)


def test_barrier_timeout_in_child(mp):
    barrier = mp.Barrier(2)
    a, b = mp.Pipe()
    p = start(mp, st.barrier_waiter, barrier, b, 1, 0.1)
    try:
        assert recv(a) == ['broken']
    finally:
        finish(p)
    assert barrier.broken is True
    p = start(mp, st.barrier_report, barrier, b)
    try:
        assert recv(a) == (2, 0, True)
    finally:
        finish(p)
        a.close()
        b.close()


def test_barrier_abort_wakes_child(mp):
    barrier = mp.Barrier(2)
    a, b = mp.Pipe()
    p = start(mp, st.barrier_waiter, barrier, b, 1)
    try:
        wait_until(lambda: barrier.n_waiting == 1)
        barrier.abort()
        assert recv(a) == ['broken']
    finally:
        finish(p)
        a.close()
        b.close()
    assert barrier.broken is True


def test_event_wakes_every_process(mp):
    event = mp.Event()
    pipes = [mp.Pipe() for _ in range(3)]
    procs = [start(mp, st.event_waiter, event, b) for _, b in pipes]
    try:
        for a, _ in pipes:
            assert recv(a) == ('ready', False)
        event.set()
        assert [recv(a) for a, _ in pipes] == [True, True, True]
    finally:
        finish(*procs)
        for a, b in pipes:
            a.close()
            b.close()


def test_barrier_reset_wakes_child_and_barrier_is_reusable(mp):
    barrier = mp.Barrier(2)
    a, b = mp.Pipe()
    p = start(mp, st.barrier_waiter, barrier, b, 1)
    try:
        wait_until(lambda: barrier.n_waiting == 1)
        barrier.reset()
        assert recv(a) == ['broken']
    finally:
        finish(p)
    assert barrier.broken is False
    # usable again: a full round with a new child
    p = start(mp, st.barrier_waiter, barrier, b, 2)
    try:
        mine = [barrier.wait(TIMEOUT), barrier.wait(TIMEOUT)]
        theirs = recv(a)
    finally:
        finish(p)
        a.close()
        b.close()
    assert sorted([mine[0], theirs[0]]) == [0, 1]
    assert sorted([mine[1], theirs[1]]) == [0, 1]


def test_notify_after_a_waiter_timed_out(mp):
    cond = mp.Condition()
    a, b = mp.Pipe()
    p = start(mp, st.condition_waiter, cond, b, 0.05)
    try:
        assert recv(a) == 'ready'
        assert recv(a) == ('woke', False)
    finally:
        finish(p)
    p = start(mp, st.condition_waiter, cond, b)
    try:
        assert recv(a) == 'ready'
        with cond:
            assert repr(cond) == '<Condition(<RLock(MainProcess, 1)>, 1)>'
            cond.notify()  # the live waiter wakes, not the gone one
        assert recv(a) == ('woke', True)
        with cond:
            assert repr(cond) == '<Condition(<RLock(MainProcess, 1)>, 0)>'
    finally:
        finish(p)
        a.close()
        b.close()
