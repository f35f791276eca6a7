"""Condition, Event and Barrier, built only from pipe semaphores.

A condition variable lets a process sleep until another one says "something
changed".  With threads this is a list of waiters; across processes there is
no shared list, so the bookkeeping is done with three semaphores, which are
just counters the kernel keeps for us:

* ``_sleepers`` -- one unit per process that has started waiting;
* ``_wakeup``   -- a notifier puts one unit here per process it wakes;
* ``_woken``    -- each waiter, on waking (or timing out), puts one here, so
  the notifier can wait until the processes it woke have really left.

``notify(n)`` first settles the accounts of waiters that timed out since the
last notify (each left a unit in ``_woken`` and in ``_sleepers``), then moves
up to ``n`` units from ``_sleepers`` to ``_wakeup`` and waits for as many
``_woken``.  Everything happens while the notifier holds the condition's
lock, which is what makes it safe.

``Event`` is a condition plus a one-unit "flag" semaphore.  ``Barrier`` keeps
its state (phase and count) in two integers of shared memory guarded by a
condition.
"""

import time
# The very same class as threading's, as in the stdlib, so that one
# ``except BrokenBarrierError`` works for thread and process barriers.
from threading import BrokenBarrierError

from teachmp import synchronize
from teachmp.sharedctypes import RawArray

_FILLING, _DRAINING, _RESETTING, _BROKEN = 0, 1, -1, -2

# How long notify() waits for a waiter it woke to answer before taking it
# for dead (killed while it waited): far longer than a live process needs
# to be scheduled, short enough that a dead waiter costs a notifier 1 s.
WOKEN_TIMEOUT = 1.0


class Condition:
    """A condition variable for processes, kept in three semaphores.

    See the module docstring for how ``wait`` and ``notify`` use them.
    """

    def __init__(self, lock=None, *, ctx=None):
        self._lock = lock if lock is not None else synchronize.RLock()
        self._sleepers = synchronize.Semaphore(0)
        self._wakeup = synchronize.Semaphore(0)
        self._woken = synchronize.Semaphore(0)
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __getstate__(self):
        from teachmp.spawning import assert_spawning
        assert_spawning(self)
        return self._lock, self._sleepers, self._wakeup, self._woken

    def __setstate__(self, state):
        self._lock, self._sleepers, self._wakeup, self._woken = state
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc_info):
        return self._lock.__exit__(*exc_info)

    def __repr__(self):
        try:
            waiters = self._sleepers.get_value() - self._woken.get_value()
        except Exception:
            waiters = 'unknown'
        return '<%s(%s, %s)>' % (type(self).__name__, self._lock, waiters)

    def _release_fully(self):
        # An RLock may be held several times; waiting must free it entirely
        # and later take it back as many times.
        lock = self._lock
        if isinstance(lock, synchronize.RLock):
            depth = lock._count
            for _ in range(depth):
                lock.release()
            return depth
        lock.release()
        return 1

    def wait(self, timeout=None):
        """Release the lock, sleep until notified (or ``timeout``), take the lock back."""
        assert self._lock._semlock._is_mine(), \
            'must acquire() condition before using wait()'
        self._sleepers.release()
        depth = self._release_fully()
        try:
            return self._wakeup.acquire(True, timeout)
        finally:
            self._woken.release()
            for _ in range(depth):
                self._lock.acquire()

    def notify(self, n=1):
        """Wake up to ``n`` waiting processes; the caller must hold the lock."""
        assert self._lock._semlock._is_mine(), 'lock is not owned'
        assert not self._wakeup.acquire(False)
        # Waiters that timed out left one unit in _woken and one in
        # _sleepers: cancel those pairs first.
        while self._woken.acquire(False):
            # (no unit in _sleepers: a waiter that answered too late for
            # _wait_for_woken, already counted then)
            self._sleepers.acquire(False)
        woken = 0
        while woken < n and self._sleepers.acquire(False):
            self._wakeup.release()
            woken += 1
        if woken:
            self._wait_for_woken(woken)
            # A waiter that timed out right after we released _wakeup did not
            # consume its unit: take back what is left.
            while self._wakeup.acquire(False):
                pass

    def _wait_for_woken(self, woken):
        """Wait until ``woken`` waiters reported in ``_woken``, within reason.

        A live waiter reports within microseconds of its wake-up.  One that
        was killed while it waited never will, and an unbounded wait here
        would hang the notifier (with the lock held) forever -- the
        stdlib's Condition does exactly that.  After WOKEN_TIMEOUT seconds
        the silent waiters are taken for dead; their ``_wakeup`` units are
        taken back by ``notify``.
        """
        deadline = time.monotonic() + WOKEN_TIMEOUT
        for _ in range(woken):
            if not self._woken.acquire(True, max(0.0, deadline - time.monotonic())):
                return

    def notify_all(self):
        """Wake every waiting process; the caller must hold the lock."""
        self.notify(n=synchronize.SEM_VALUE_MAX)

    def wait_for(self, predicate, timeout=None):
        """Wait until ``predicate()`` is true (or ``timeout``); return its last value."""
        result = predicate()
        if result:
            return result
        deadline = None if timeout is None else time.monotonic() + timeout
        while not result:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.wait(remaining)
            else:
                self.wait()
            result = predicate()
        return result


class Event:
    """A flag shared by processes: ``set``, ``clear``, and ``wait`` for it."""

    def __init__(self, *, ctx=None):
        self._cond = Condition(synchronize.Lock())
        self._flag = synchronize.Semaphore(0)

    def is_set(self):
        """Whether the flag is set."""
        with self._cond:
            if self._flag.acquire(False):
                self._flag.release()
                return True
            return False

    def set(self):
        """Set the flag and wake every process waiting for it."""
        with self._cond:
            self._flag.acquire(False)
            self._flag.release()
            self._cond.notify_all()

    def clear(self):
        """Unset the flag."""
        with self._cond:
            self._flag.acquire(False)

    def wait(self, timeout=None):
        """Wait until the flag is set (or ``timeout``); return whether it is."""
        with self._cond:
            if self._flag.acquire(False):
                self._flag.release()
                return True
            self._cond.wait(timeout)
            if self._flag.acquire(False):
                self._flag.release()
                return True
            return False

    def __repr__(self):
        state = 'set' if self.is_set() else 'unset'
        return '<%s at %#x %s>' % (type(self).__name__, id(self), state)


class Barrier:
    """``parties`` processes wait until all have arrived, then all go on."""

    def __init__(self, parties, action=None, timeout=None, *, ctx=None):
        self._cond = Condition(synchronize.Lock())
        self._shared = RawArray('i', 2)     # [phase, number waiting]
        self._action = action
        self._timeout = timeout
        self._parties = parties

    def __getstate__(self):
        from teachmp.spawning import assert_spawning
        assert_spawning(self)
        return (self._parties, self._action, self._timeout,
                self._cond, self._shared)

    def __setstate__(self, state):
        (self._parties, self._action, self._timeout,
         self._cond, self._shared) = state

    # the two shared integers, by name
    _phase = property(lambda self: self._shared[0],
                      lambda self, v: self._shared.__setitem__(0, v))
    _count = property(lambda self: self._shared[1],
                      lambda self, v: self._shared.__setitem__(1, v))

    def wait(self, timeout=None):
        """Wait for the other parties; return this one's index, 0 to parties - 1."""
        if timeout is None:
            timeout = self._timeout
        with self._cond:
            self._enter()
            index = self._count
            self._count += 1
            try:
                if index + 1 == self._parties:
                    self._release()         # the last one opens the gate
                else:
                    self._wait(timeout)
                return index
            finally:
                self._count -= 1
                self._exit()

    def _enter(self):
        # Wait for the previous round to drain (or a reset to finish).
        while self._phase in (_DRAINING, _RESETTING):
            self._cond.wait()
        if self._phase < 0:
            raise BrokenBarrierError
        assert self._phase == _FILLING

    def _release(self):
        try:
            if self._action:
                self._action()
            self._phase = _DRAINING
            self._cond.notify_all()
        except BaseException:
            self._break()
            raise

    def _wait(self, timeout):
        if not self._cond.wait_for(lambda: self._phase != _FILLING, timeout):
            self._break()
            raise BrokenBarrierError
        if self._phase < 0:
            raise BrokenBarrierError
        assert self._phase == _DRAINING

    def _exit(self):
        if self._count == 0 and self._phase in (_RESETTING, _DRAINING):
            self._phase = _FILLING
            self._cond.notify_all()

    def _break(self):
        self._phase = _BROKEN
        self._cond.notify_all()

    def reset(self):
        """Break the barrier for current waiters, then make it usable again."""
        with self._cond:
            if self._count > 0:
                if self._phase == _FILLING:
                    self._phase = _RESETTING
                elif self._phase == _BROKEN:
                    self._phase = _RESETTING
            else:
                self._phase = _FILLING
            self._cond.notify_all()

    def abort(self):
        """Break the barrier: every current and future ``wait`` raises."""
        with self._cond:
            self._break()

    @property
    def parties(self):
        """The number of processes that must wait before they all go on."""
        return self._parties

    @property
    def n_waiting(self):
        """The number of processes waiting right now."""
        return self._count if self._phase == _FILLING else 0

    @property
    def broken(self):
        """Whether the barrier is broken (``abort()``, a timeout, a failed action)."""
        return self._phase == _BROKEN

    def __repr__(self):
        if self.broken:
            return '<%s.%s at %#x: broken>' % (
                type(self).__module__, type(self).__qualname__, id(self))
        return '<%s.%s at %#x: waiters=%d/%d>' % (
            type(self).__module__, type(self).__qualname__, id(self),
            self.n_waiting, self._parties)
