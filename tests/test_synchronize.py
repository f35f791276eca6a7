"""Lock, RLock, Semaphore, BoundedSemaphore: acquire/release semantics,
timeouts, misuse, reprs and pickling, in one process and across processes.

Every test runs on teachmp and on the stdlib and asserts the same observable
result.  Tests that stay in one process use ``mpmod`` (the module); tests
that hand objects to a child use ``mp`` (a context, fork and spawn), so the
objects travel as ``Process`` arguments both by inheritance and by pickling.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import threading
import time

import pytest

import sync_targets as st
from support import TIMEOUT, finish, recv, start

INHERITANCE = 'objects should only be shared between processes through inheritance'


def in_thread(func, *args):
    """Run func(*args) in a thread; return (thread, result list)."""
    result = []
    t = threading.Thread(target=lambda: result.append(func(*args)))
    t.start()
    return t, result


# -- Lock: acquire / release ---------------------------------------------------------


def test_lock_acquire_forms(mpmod):
    lock = mpmod.Lock()
    assert lock.acquire() is True
    # held: every non-blocking or timed form fails without waiting long
    assert lock.acquire(False) is False
    assert lock.acquire(block=False) is False
    assert lock.acquire(block=False, timeout=5) is False  # timeout ignored
    assert lock.acquire(True, 0) is False
    assert lock.acquire(timeout=0) is False
    t0 = time.monotonic()
    assert lock.acquire(timeout=-1) is False  # negative: no wait at all
    assert lock.acquire(True, -0.5) is False
    assert time.monotonic() - t0 < 2.0
    t0 = time.monotonic()
    assert lock.acquire(timeout=0.2) is False
    elapsed = time.monotonic() - t0
    assert 0.15 <= elapsed < 5, elapsed
    lock.release()
    # free: every form succeeds at once
    for args, kwargs in [((), {}), ((False,), {}), ((True, 0), {}),
                         ((), {'timeout': -1}), ((), {'timeout': None}),
                         ((), {'block': True, 'timeout': 1.5})]:
        assert lock.acquire(*args, **kwargs) is True, (args, kwargs)
        lock.release()


def test_lock_release_unlocked_is_value_error(mpmod):
    lock = mpmod.Lock()
    with pytest.raises(ValueError, match='released too many times'):
        lock.release()
    lock.acquire()
    lock.release()
    with pytest.raises(ValueError, match='released too many times'):
        lock.release()
    # still a working lock afterwards
    assert lock.acquire(False) is True
    assert lock.acquire(False) is False
    lock.release()


def test_lock_context_manager(mpmod):
    lock = mpmod.Lock()
    with lock as got:
        assert got is True
        assert repr(lock) == '<Lock(owner=MainProcess)>'
        assert lock.acquire(False) is False
    assert repr(lock) == '<Lock(owner=None)>'
    with pytest.raises(KeyError):
        with lock:
            raise KeyError('inside')
    assert lock.acquire(False) is True  # the exception released it
    lock.release()


def test_lock_reprs_and_threads(mpmod):
    lock = mpmod.Lock()
    assert repr(lock) == '<Lock(owner=None)>'
    lock.acquire()
    assert repr(lock) == '<Lock(owner=MainProcess)>'
    # another thread sees someone else holding it, and cannot take it
    t, seen = in_thread(lambda: (repr(lock), lock.acquire(False)))
    t.join(TIMEOUT)
    assert seen == [('<Lock(owner=SomeOtherThread)>', False)]
    lock.release()

    # held by a thread: the thread sees its own name after the process's
    held, go = threading.Event(), threading.Event()

    def holder():
        with lock:
            seen.append(repr(lock))
            held.set()
            go.wait(TIMEOUT)

    seen.clear()
    t = threading.Thread(target=holder, name='Holder')
    t.start()
    try:
        assert held.wait(TIMEOUT)
        assert seen == ['<Lock(owner=MainProcess|Holder)>']
        assert repr(lock) == '<Lock(owner=SomeOtherThread)>'
        assert lock.acquire(timeout=0.05) is False
    finally:
        go.set()
        t.join(TIMEOUT)
    assert repr(lock) == '<Lock(owner=None)>'


def test_lock_released_by_another_thread(mpmod):
    # unlike RLock, a Lock may be released by anyone
    lock = mpmod.Lock()
    lock.acquire()
    t, result = in_thread(lambda: st.outcome(lock.release))
    t.join(TIMEOUT)
    assert result == [('ok', None)]
    assert repr(lock) == '<Lock(owner=None)>'
    # and now it is unlocked: releasing again is the usual error
    with pytest.raises(ValueError):
        lock.release()
    assert lock.acquire(False) is True
    lock.release()


# -- RLock -----------------------------------------------------------------------------


def test_rlock_recursion_and_repr(mpmod):
    rlock = mpmod.RLock()
    assert repr(rlock) == '<RLock(None, 0)>'
    assert rlock.acquire() is True
    assert rlock.acquire(False) is True
    assert rlock.acquire(timeout=0) is True  # the owner never waits
    assert repr(rlock) == '<RLock(MainProcess, 3)>'
    rlock.release()
    assert repr(rlock) == '<RLock(MainProcess, 2)>'
    rlock.release()
    rlock.release()
    assert repr(rlock) == '<RLock(None, 0)>'
    with pytest.raises(AssertionError, match='not owned'):
        rlock.release()


def test_rlock_release_unowned_is_assertion_error(mpmod):
    with pytest.raises(AssertionError, match='attempt to release recursive lock not owned'):
        mpmod.RLock().release()


def test_rlock_context_manager(mpmod):
    rlock = mpmod.RLock()
    with rlock as first:
        with rlock as second:
            assert (first, second) == (True, True)
            assert repr(rlock) == '<RLock(MainProcess, 2)>'
        assert repr(rlock) == '<RLock(MainProcess, 1)>'
    assert repr(rlock) == '<RLock(None, 0)>'


def test_rlock_other_thread(mpmod):
    rlock = mpmod.RLock()
    rlock.acquire()
    rlock.acquire()
    t, result = in_thread(
        lambda: (repr(rlock), rlock.acquire(False), rlock.acquire(timeout=0.05),
                 st.outcome(rlock.release))
    )
    t.join(TIMEOUT)
    (text, nonblocking, timed, release), = result
    assert text == '<RLock(SomeOtherThread, nonzero)>'
    assert nonblocking is False and timed is False
    assert release[:2] == ('exc', 'AssertionError')
    assert repr(rlock) == '<RLock(MainProcess, 2)>'  # untouched
    rlock.release()
    rlock.release()


# -- Semaphore / BoundedSemaphore ------------------------------------------------------


def test_semaphore_counts(mpmod):
    sem = mpmod.Semaphore(3)
    assert repr(sem) == '<Semaphore(value=3)>'
    assert sem.get_value() == 3
    assert [sem.acquire(False) for _ in range(4)] == [True, True, True, False]
    assert sem.get_value() == 0
    assert repr(sem) == '<Semaphore(value=0)>'
    assert sem.acquire(timeout=0.05) is False
    assert sem.acquire(timeout=-1) is False
    for _ in range(5):  # an unbounded semaphore may go above its start
        sem.release()
    assert sem.get_value() == 5
    assert repr(sem) == '<Semaphore(value=5)>'


def test_semaphore_default_and_zero(mpmod):
    assert mpmod.Semaphore().get_value() == 1
    sem = mpmod.Semaphore(0)
    assert sem.get_value() == 0
    assert sem.acquire(False) is False
    sem.release()
    assert sem.acquire(False) is True


def test_semaphore_context_manager(mpmod):
    sem = mpmod.Semaphore(2)
    with sem as got:
        assert got is True
        assert sem.get_value() == 1
        with sem:
            assert sem.get_value() == 0
    assert sem.get_value() == 2


def test_semaphore_negative_value_raises_like_stdlib(mpmod):
    with pytest.raises(Exception) as expected:
        multiprocessing.Semaphore(-1)
    with pytest.raises(Exception) as got:
        mpmod.Semaphore(-1)
    assert type(got.value) is type(expected.value)
    if isinstance(expected.value, OSError):
        assert got.value.errno == expected.value.errno


def test_bounded_semaphore(mpmod):
    sem = mpmod.BoundedSemaphore(2)
    assert repr(sem) == '<BoundedSemaphore(value=2, maxvalue=2)>'
    assert sem.get_value() == 2
    with pytest.raises(ValueError, match='released too many times'):
        sem.release()
    assert sem.acquire() and sem.acquire()
    assert sem.acquire(False) is False
    assert repr(sem) == '<BoundedSemaphore(value=0, maxvalue=2)>'
    sem.release()
    sem.release()
    with pytest.raises(ValueError, match='released too many times'):
        sem.release()
    assert sem.get_value() == 2
    assert repr(mpmod.BoundedSemaphore()) == '<BoundedSemaphore(value=1, maxvalue=1)>'


# -- pickling outside process creation ------------------------------------------------


SYNC_KINDS = {
    'Lock': lambda m: m.Lock(),
    'RLock': lambda m: m.RLock(),
    'Semaphore': lambda m: m.Semaphore(2),
    'BoundedSemaphore': lambda m: m.BoundedSemaphore(2),
    'Condition': lambda m: m.Condition(),
    'Event': lambda m: m.Event(),
    'Barrier': lambda m: m.Barrier(2),
}
# the class named in the stdlib's message is the class that refuses; Event
# and Barrier are refused by a Condition inside them (not part of the contract)
NAMED_IN_MESSAGE = {'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition'}


@pytest.mark.parametrize('kind', list(SYNC_KINDS))
def test_pickling_into_pipe_refused(mpmod, kind):
    obj = SYNC_KINDS[kind](mpmod)
    a, b = mpmod.Pipe()
    try:
        with pytest.raises(RuntimeError) as info:
            a.send(obj)
        assert INHERITANCE in str(info.value)
        if kind in NAMED_IN_MESSAGE:
            assert str(info.value) == f'{kind} {INHERITANCE}'
        # nothing half-sent: the connection still works
        a.send('after')
        assert recv(b) == 'after'
    finally:
        a.close()
        b.close()


# -- across processes ----------------------------------------------------------------


def test_lock_held_by_child(mp):
    lock = mp.Lock()
    a, b = mp.Pipe()
    p = start(mp, st.hold_lock_until_told, lock, b)
    try:
        # the holder sees its own name; we see "some other process"
        assert recv(a) == ('held', f'<Lock(owner={p.name})>')
        assert repr(lock) == '<Lock(owner=SomeOtherProcess)>'
        assert lock.acquire(False) is False
        assert lock.acquire(timeout=0.05) is False
        a.send('go')
        assert lock.acquire(timeout=TIMEOUT) is True  # handed over
        assert recv(a) == 'released'
        assert repr(lock) == '<Lock(owner=MainProcess)>'
        lock.release()
    finally:
        finish(p, close=(a, b))


def test_child_waits_for_lock_held_by_parent(mp):
    lock = mp.Lock()
    lock.acquire()
    a, b = mp.Pipe()
    p = start(mp, st.try_acquire, lock, b, False)
    try:
        assert recv(a) is False  # non-blocking in the child
    finally:
        finish(p)
    p = start(mp, st.try_acquire, lock, b, True, 0.1)
    try:
        assert recv(a) is False  # timed out in the child
    finally:
        finish(p)
    p = start(mp, st.try_acquire, lock, b, True, TIMEOUT)
    try:
        assert not a.poll(0.05)
        lock.release()
        assert recv(a) is True
    finally:
        finish(p, close=(a, b))
    assert lock.acquire(timeout=TIMEOUT) is True  # the child released it
    lock.release()


def test_lock_released_by_child(mp):
    lock = mp.Lock()
    lock.acquire()
    a, b = mp.Pipe()
    p = start(mp, st.try_release, lock, b)
    try:
        assert recv(a) == ('ok', None)
    finally:
        finish(p, close=(b,))
    # the child released it: it is unlocked now, here too (the stdlib's repr
    # still names us as owner here, from stale bookkeeping: not asserted)
    with pytest.raises(ValueError, match='released too many times'):
        lock.release()
    # and it is still a lock: one holder at a time
    assert lock.acquire(False) is True
    assert lock.acquire(False) is False
    lock.release()
    a.close()


def test_lock_release_unlocked_in_child(mp):
    lock = mp.Lock()
    a, b = mp.Pipe()
    p = start(mp, st.try_release, lock, b)
    try:
        kind, name, message = recv(a)
        assert (kind, name) == ('exc', 'ValueError')
        assert 'released too many times' in message
    finally:
        finish(p, close=(a, b))


def test_rlock_held_by_parent_seen_from_child(mp):
    rlock = mp.RLock()
    rlock.acquire()
    rlock.acquire()
    a, b = mp.Pipe()
    p = start(mp, st.rlock_foreign_checks, rlock, b)
    try:
        seen = recv(a)
    finally:
        finish(p, close=(a, b))
    assert seen['repr'] == '<RLock(SomeOtherProcess, nonzero)>'
    assert seen['acquire_nonblocking'] is False
    assert seen['acquire_timeout'] is False
    assert seen['release'][:2] == ('exc', 'AssertionError')
    assert 'not owned' in seen['release'][2]
    assert repr(rlock) == '<RLock(MainProcess, 2)>'
    rlock.release()
    rlock.release()
    assert repr(rlock) == '<RLock(None, 0)>'


def test_rlock_free_in_child(mp):
    rlock = mp.RLock()
    a, b = mp.Pipe()
    p = start(mp, st.hold_lock_until_told, rlock, b)
    try:
        assert recv(a) == ('held', f'<RLock({p.name}, 1)>')
        assert repr(rlock) == '<RLock(SomeOtherProcess, nonzero)>'
        assert rlock.acquire(False) is False
        with pytest.raises(AssertionError):
            rlock.release()
        a.send('go')
        assert recv(a) == 'released'
        assert rlock.acquire(timeout=TIMEOUT) is True
        rlock.release()
    finally:
        finish(p, close=(a, b))


def test_semaphore_across_processes(mp):
    sem = mp.Semaphore(0)
    a, b = mp.Pipe()
    p = start(mp, st.semaphore_wait, sem, b)
    try:
        assert recv(a) == 'waiting'
        sem.release()
        assert recv(a) == (True, 0)
    finally:
        finish(p, close=(a, b))
    assert sem.get_value() == 0
    sem.release()
    assert sem.get_value() == 1


def test_bounded_semaphore_over_release_in_child(mp):
    sem = mp.BoundedSemaphore(2)
    sem.acquire()
    a, b = mp.Pipe()
    p = start(mp, st.release_times, sem, 2, b)
    try:
        first, second = recv(a)
    finally:
        finish(p, close=(a, b))
    assert first == ('ok', None)
    assert second[:2] == ('exc', 'ValueError')
    assert sem.get_value() == 2


def test_reprs_in_child(mp):
    objs = [mp.Lock(), mp.RLock(), mp.Semaphore(3), mp.BoundedSemaphore(2)]
    a, b = mp.Pipe()
    try:
        for obj in objs:
            p = start(mp, st.report_repr, obj, b)
            try:
                assert recv(a) == repr(obj)
            finally:
                finish(p)
    finally:
        a.close()
        b.close()


# -- signatures -------------------------------------------------------------------------


def test_acquire_signature(mpmod):
    lock = mpmod.Lock()
    with pytest.raises(TypeError):
        lock.acquire(blocking=False)  # threading's name, not this one's
    with pytest.raises(TypeError):
        lock.acquire(False, 1, 2)
    assert lock.acquire(block=True, timeout=None) is True
    lock.release()


def test_get_value_only_on_semaphores(mpmod):
    assert not hasattr(mpmod.Lock(), 'get_value')
    assert not hasattr(mpmod.RLock(), 'get_value')
    assert mpmod.Semaphore(4).get_value() == 4
    assert mpmod.BoundedSemaphore(4).get_value() == 4


def test_lock_held_by_parent_repr_in_child(mp):
    lock = mp.Lock()
    a, b = mp.Pipe()
    with lock:
        p = start(mp, st.report_repr, lock, b)
        try:
            assert recv(a) == '<Lock(owner=SomeOtherProcess)>'
        finally:
            finish(p, close=(a, b))


def test_lock_between_threads(mpmod):
    lock = mpmod.Lock()
    rlock = mpmod.RLock()
    totals = {'lock': 0, 'rlock': 0}

    def work():
        for _ in range(2000):
            with lock:
                totals['lock'] += 1
            with rlock:
                with rlock:
                    totals['rlock'] += 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert totals == {'lock': 8000, 'rlock': 8000}
    assert repr(lock) == '<Lock(owner=None)>' and repr(rlock) == '<RLock(None, 0)>'


def test_lock_shared_by_two_children(mp):
    lock = mp.Lock()
    a, b = mp.Pipe()
    c, d = mp.Pipe()
    holder = start(mp, st.hold_lock_until_told, lock, b)
    try:
        assert recv(a)[0] == 'held'
        other = start(mp, st.try_acquire, lock, d, True, 0.05)
        try:
            assert recv(c) is False  # a sibling holds it
        finally:
            finish(other)
        a.send('go')
        assert recv(a) == 'released'
    finally:
        finish(holder, close=(a, b))
    other = start(mp, st.try_acquire, lock, d, False)
    try:
        assert recv(c) is True
    finally:
        finish(other, close=(c, d))


def test_lock_and_value_reach_a_grandchild(mp, impl, start_method):
    lock = mp.Lock()
    value = mp.Value('i', 0, lock=False)
    a, b = mp.Pipe()
    p = start(mp, st.pass_to_grandchild, impl.__name__, start_method, lock, value, b)
    try:
        assert recv(a) == (0, 99)
    finally:
        finish(p, close=(a, b))
    assert value.value == 99
    assert lock.acquire(False) is True
    lock.release()


def test_lock_of_a_killed_holder_stays_taken(mp):
    # neither library repairs a lock whose holder died: it stays locked
    lock = mp.Lock()
    a, b = mp.Pipe()
    p = start(mp, st.hold_until_killed, lock, b)
    try:
        assert recv(a) == 'held'
        p.kill()
        p.join(TIMEOUT)
        assert p.exitcode == -9
        assert lock.acquire(timeout=0.05) is False
        assert repr(lock) == '<Lock(owner=SomeOtherProcess)>'
        lock.release()  # anyone may release a Lock
        assert lock.acquire(False) is True
        lock.release()
    finally:
        a.close()
        b.close()


# -- module layout (``import multiprocessing.synchronize`` under teachmp run) ---------


def test_synchronize_module_names(mpmod):
    # A program run with ``python -m teachmp run`` imports
    # multiprocessing.synchronize as teachmp.synchronize: every name the
    # stdlib module exports must be there.
    import importlib

    mod = importlib.import_module(mpmod.__name__ + '.synchronize')
    names = ['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition',
             'Event', 'Barrier']
    assert [n for n in names if not hasattr(mod, n)] == []
    assert set(multiprocessing.synchronize.__all__) <= set(dir(mod))
    ctx = mpmod.get_context()
    assert mod.Event(ctx=ctx).is_set() is False
    assert mod.Barrier(2, ctx=ctx).parties == 2


def test_argument_types_checked(mpmod):
    # The stdlib checks the arguments before looking at the lock: a bad
    # timeout is a TypeError even when the lock is free.
    lock = mpmod.Lock()
    with pytest.raises(TypeError):
        lock.acquire(timeout='1')
    with pytest.raises(TypeError):
        lock.acquire(None)  # block must be an int or bool
    assert lock.acquire(0) is True  # ints are fine
    lock.release()
    assert lock.acquire(True, 1) is True
    lock.release()
    with pytest.raises(TypeError):
        mpmod.Semaphore(2.5)
    with pytest.raises(TypeError):
        mpmod.BoundedSemaphore('2')
