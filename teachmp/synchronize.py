"""Locks and semaphores built from a pipe: one byte per available unit.

This is the make jobserver trick.  A semaphore with value 3 is a pipe that
holds 3 bytes.  ``acquire`` reads one byte (taking a unit), ``release``
writes one back.  The kernel does the hard parts for us:

* a read takes a byte atomically, so two processes never get the same unit;
* a process blocked waiting for a byte sleeps in ``poll`` and is woken by the
  kernel when one is written -- no spinning, no shared counters;
* the value is the number of unread bytes, which ``ioctl(FIONREAD)`` reports.

The read end is non-blocking, so one code path serves every form of
``acquire``: try to read; if the pipe is empty, either give up
(``block=False``), or ``poll`` until a byte arrives or the deadline passes,
and try again (another waiter may have won the byte).

Why not POSIX named semaphores, like CPython?  They need C, and they are
*named* kernel objects: a process killed at the wrong moment leaks them,
which is why CPython runs a resource-tracker process.  A pipe disappears
with the last process that holds it.  The price is speed: a Python-level
``os.read`` plus ``os.write`` per acquire/release, measured in chapter 05.

A pipe buffer holds 65,536 bytes on Linux by default, so a semaphore's value
is limited to that (``SEM_VALUE_MAX``); CPython's limit is 2**31 - 1.

``Lock`` is a semaphore of at most one unit that remembers its owner (only
in the owning process's memory: nobody else needs to know), ``RLock`` adds a
recursion count.  ``Condition``, ``Event`` and ``Barrier`` live in
``teachmp.condition`` and are built from these.
"""

import errno
import fcntl
import os
import select
import struct
import termios
import threading
import time

from teachmp import compat, process, spawning, util

SEM_VALUE_MAX = 65536
_ONE = b'\x00'


# Who am I?  An owner is (pid, thread id).  The pid is cached in a module
# global and refreshed in a forked child, because acquire asks on every call
# and os.getpid() is a system call on some platforms (and a Python-level
# call everywhere); a spawned child imports this module afresh.
_pid = os.getpid()
_get_ident = threading.get_ident


def _reset_pid():
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_reset_pid)


class SemLock:
    """The pipe-of-tokens semaphore that every lock here is made of."""

    def __init__(self, value, maxvalue, *, ctx=None):
        if not isinstance(value, int):
            raise TypeError("'%s' object cannot be interpreted as an integer"
                            % type(value).__name__)
        # The stdlib reports a bad value as the OS does: OSError(EINVAL).
        if value < 0:
            raise OSError(errno.EINVAL, 'semaphore initial value must be >= 0')
        if value > SEM_VALUE_MAX:
            raise OSError(errno.EINVAL, 'semaphore initial value must be <= %d '
                          '(a pipe holds at most that many tokens)' % SEM_VALUE_MAX)
        self._maxvalue = maxvalue
        r, w = os.pipe()
        self._setup(r, w)           # from here on the pipe is closed for us
        os.set_blocking(r, False)
        os.set_blocking(w, False)   # a full pipe must be an error, not a hang
        if value:
            os.write(w, _ONE * value)

    def _setup(self, r, w):
        self._r, self._w = r, w
        self._owner = None      # (pid, thread id) of the holder, as far as we know
        self._count = 0         # recursion depth, RLock only
        self._closer = util.FdCloser(r, w)
        self._ready = select.poll()     # "is a token waiting?" without taking it
        self._ready.register(r, select.POLLIN)

    # pickled only to start a spawned child: the fds travel with pass_fds
    def __getstate__(self):
        spawning.assert_spawning(self)
        from teachmp.reduction import DupFd
        return DupFd(self._r), DupFd(self._w), self._maxvalue

    def __setstate__(self, state):
        r, w, self._maxvalue = state
        self._setup(r.detach(), w.detach())

    # -- the two operations -------------------------------------------------------

    def acquire(self, block=True, timeout=None):
        """Take one unit; wait for it if ``block`` (up to ``timeout`` seconds)."""
        if block is not True or timeout is not None:
            timeout = _check_acquire_args(block, timeout)
        try:
            os.read(self._r, 1)
        except BlockingIOError:
            if not block or not self._wait_for_unit(timeout):
                return False
        self._owner = (_pid, _get_ident())
        return True

    def _wait_for_unit(self, timeout):
        deadline = None if timeout is None else time.monotonic() + max(timeout, 0)
        poller = select.poll()
        poller.register(self._r, select.POLLIN)
        while True:
            if deadline is None:
                ms = None
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                ms = max(1, int(remaining * 1000 + 0.999))
            poller.poll(ms)
            try:
                os.read(self._r, 1)
                return True
            except BlockingIOError:
                continue        # another waiter took the byte: wait again

    def release(self):
        """Give one unit back (ValueError if that would exceed the maximum)."""
        if self._maxvalue == 1:
            # A lock: the pipe must be empty.  poll(0) asks without taking.
            if self._ready.poll(0):
                raise ValueError('semaphore or lock released too many times')
        elif self._maxvalue is not None and self._get_value() >= self._maxvalue:
            raise ValueError('semaphore or lock released too many times')
        self._owner = None
        try:
            os.write(self._w, _ONE)
        except BlockingIOError:
            raise ValueError('semaphore value would exceed %d, the number of '
                             'tokens a pipe can hold' % SEM_VALUE_MAX) from None

    def _release_mine(self):
        """``release()`` for internal callers that know they hold the lock.

        They took the token, so the pipe is empty: no need for the
        ``poll(0)`` check of ``release()`` (one system call saved).
        """
        self._owner = None
        os.write(self._w, _ONE)

    def _get_value(self):
        buf = fcntl.ioctl(self._r, termios.FIONREAD, b'\0\0\0\0')
        return struct.unpack('i', buf)[0]

    def _is_zero(self):
        # the stdlib's SemLock has it too; its Queue.full() calls it, and
        # concurrent.futures builds that Queue on whatever context it is given
        return not self._ready.poll(0)

    def _is_mine(self):
        return self._owner == (_pid, _get_ident())

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()

    def locked(self):
        """Is no unit left right now (Python 3.14+)?  True while anyone holds it.

        The pipe is empty exactly when every unit is taken, whichever
        process took them, so this asks the kernel, not our own notes
        (``_owner`` only knows about this process).  FIONREAD, not the
        shared poll object: two threads may not poll one object at once.
        """
        return self._get_value() == 0

    if not compat.API_3_14:     # only where the running Python has it
        del locked

    # CPython's SemLock exposes the semaphore itself as ``_semlock``; code in
    # the wild (and our Condition) uses it, so keep the same spelling.
    @property
    def _semlock(self):
        return self


def _check_acquire_args(block, timeout):
    # Reject what the stdlib's C SemLock rejects, before touching the lock:
    # block must be an int (or bool), timeout a real number or None.
    if not isinstance(block, int):
        raise TypeError("'%s' object cannot be interpreted as an integer"
                        % type(block).__name__)
    if timeout is None:
        return None
    if not isinstance(timeout, (int, float)):
        try:
            return timeout.__float__()
        except AttributeError:
            raise TypeError('must be real number, not %s'
                            % type(timeout).__name__) from None
    return timeout


class Semaphore(SemLock):
    def __init__(self, value=1, *, ctx=None):
        super().__init__(value, None)

    def get_value(self):
        """The number of units available now (the bytes waiting in the pipe)."""
        return self._get_value()

    def __repr__(self):
        try:
            value = self._get_value()
        except OSError:
            value = 'unknown'
        return '<%s(value=%s)>' % (type(self).__name__, value)


class BoundedSemaphore(Semaphore):
    def __init__(self, value=1, *, ctx=None):
        SemLock.__init__(self, value, value)

    def __repr__(self):
        try:
            value = self._get_value()
        except OSError:
            value = 'unknown'
        return '<%s(value=%s, maxvalue=%s)>' % (
            type(self).__name__, value, self._maxvalue)


def _owner_name(semlock):
    """Who holds the lock, in the words of the stdlib's reprs."""
    if semlock._is_mine():
        name = process.current_process().name
        if threading.current_thread() is not threading.main_thread():
            name += '|' + threading.current_thread().name
        return name
    if semlock._get_value() == 1:
        return 'None'
    if semlock._owner is not None and semlock._owner[0] == _pid:
        return 'SomeOtherThread'
    return 'SomeOtherProcess'


class Lock(SemLock):
    """A semaphore of one unit; releasing it twice is an error."""

    def __init__(self, *, ctx=None):
        super().__init__(1, 1)

    def __repr__(self):
        try:
            owner = _owner_name(self)
        except OSError:
            owner = 'unknown'
        return '<%s(owner=%s)>' % (type(self).__name__, owner)


class RLock(SemLock):
    """A lock its owner may take again; it is free after as many releases."""

    def __init__(self, *, ctx=None):
        super().__init__(1, 1)

    def acquire(self, block=True, timeout=None):
        if self._is_mine():
            self._count += 1        # already ours: no system call at all
            return True
        if not SemLock.acquire(self, block, timeout):
            return False
        self._count = 1
        return True

    def release(self):
        if not self._is_mine():
            raise AssertionError(
                'attempt to release recursive lock not owned by thread')
        self._count -= 1
        if self._count == 0:
            # Only the owner may release an RLock, so unlike a Lock nobody
            # else can have put the token back: no need to check the pipe.
            self._owner = None
            os.write(self._w, _ONE)

    def _is_mine(self):
        return self._count > 0 and self._owner == (_pid, _get_ident())

    # -- speed-up: "with rlock:" --------------------------------------------------
    # ``with`` is how most code takes an RLock (``with v.get_lock():`` around
    # a Value update, chapter 06).  These two are acquire() and release() for
    # exactly that case (block, no timeout), with the method calls written
    # out: about 0.1 us less per ``with`` block (benchmark ``value_increment``).
    # The logic is the one above.

    def _enter_fast(self):
        me = (_pid, _get_ident())
        if self._count and self._owner == me:
            self._count += 1
            return True
        try:
            os.read(self._r, 1)     # SemLock.acquire(block=True), one unit
        except BlockingIOError:
            self._wait_for_unit(None)
        self._owner, self._count = me, 1
        return True

    def _exit_fast(self, *exc_info):
        if not (self._count and self._owner == (_pid, _get_ident())):
            raise AssertionError(
                'attempt to release recursive lock not owned by thread')
        self._count -= 1
        if self._count == 0:
            self._owner = None
            os.write(self._w, _ONE)

    __enter__ = _enter_fast
    __exit__ = _exit_fast

    def __repr__(self):
        try:
            if self._is_mine():
                owner, count = _owner_name(self), self._count
            elif self._get_value() == 1:
                owner, count = 'None', 0
            elif self._owner is not None and self._owner[0] == _pid:
                owner, count = 'SomeOtherThread', 'nonzero'
            else:
                owner, count = 'SomeOtherProcess', 'nonzero'
        except OSError:
            owner, count = 'unknown', 'unknown'
        return '<%s(%s, %s)>' % (type(self).__name__, owner, count)


def rlock_held_here(lock):
    """Is ``lock`` an RLock that this thread of this process holds already?

    A speed-up for the accessors of ``Value`` and ``Array``
    (``sharedctypes._locked_attribute``): inside ``with v.get_lock():`` the
    lock is already ours, and taking it again for each read and write of
    ``v.value`` would only count the recursion up and down.  Skipping that
    makes ``with v.get_lock(): v.value += 1`` about a quarter cheaper
    (benchmark ``value_increment``).  The test lives here, next to the
    fields it reads.
    """
    return (type(lock) is RLock and lock._count > 0
            and lock._owner == (_pid, _get_ident()))


_IN_CONDITION = ('Condition', 'Event', 'Barrier', 'BrokenBarrierError')
__all__ = ['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Condition',
           'Event', 'Barrier']


def __dir__():
    return sorted(set(globals()) | set(_IN_CONDITION))


def __getattr__(name):
    # The stdlib's synchronize module also holds Condition, Event and
    # Barrier; teachmp keeps them in teachmp.condition (built on this module).
    if name in _IN_CONDITION:
        from teachmp import condition
        return getattr(condition, name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
