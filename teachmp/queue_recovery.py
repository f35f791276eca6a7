"""How a Queue survives a process killed while holding one of its locks.

A Queue has two locks (chapter 04): the read lock, which ``get`` takes in
the consumers, and the write lock, which the feeder threads of the
producers take.  A lock made of a pipe (chapter 05) cannot tell who read
its byte, so a process killed while holding one takes the token with it,
and in the stdlib every later user waits for ever:

* a consumer killed while it waited in ``get`` keeps the read lock, and
  every later ``get`` times out with items in the pipe;
* a producer killed in the middle of writing a message keeps the write
  lock *and* leaves half a message in the pipe: the next ``get`` reads the
  header, then waits for the rest, which never comes.

So each lock is a ``NotedLock``: the lock, plus a note in shared memory of
the process that holds it (0 when nobody does).  A dead holder is found
from the note (``util.pid_alive``), and its token is given back.

*When* it may be given back is the whole point.  The read lock: at once,
by whichever waiting consumer notices first (``acquire_or_reclaim``).
The write lock: only when no byte of the dead writer's message is left in
the pipe -- otherwise the next writer's message would follow half of one,
and every reader after that would misread the stream.  Only the process
reading the pipe can know that, so ``read_message``, called by ``get``
under the read lock, does it: it reads one message without ever blocking
inside it (the read end is non-blocking), and when nothing more comes for a
moment it looks at the write lock's note.  If that writer is dead, every
byte it ever wrote has been read: the part of a message is dropped (with a
line on stderr saying so), the writer's token is given back, and the reader
waits for the next message.  A message whose writer is alive is never
cut: the reader waits for the rest as long as it takes, as
``Connection.recv_bytes`` does.

What is lost when a producer dies is what it had not finished writing: the
message being written and whatever its feeder still had buffered (as in the
stdlib, a process's buffer dies with it).  A window remains: a process
killed between taking a lock and writing its note (a few bytecodes) is not
seen, and one killed in the middle of *reading* a message leaves the rest
of it in the pipe for the next reader.
"""

import os
import select
import sys
import time

from teachmp import util
from teachmp.connection import _BIG_HEADER, _HEADER, _SMALL_MESSAGE, _eof
from teachmp.sharedctypes import RawValue
from teachmp.synchronize import Lock

# How long a waiting reader sleeps before it looks at the locks' notes again.
RECLAIM_EVERY = 0.1


class NotedLock:
    """A Lock plus a note in shared memory of which process holds it."""

    def __init__(self):
        self.lock = Lock()
        self.holder = RawValue('q', 0)      # pid of the holder, 0: nobody
        self.repair = Lock()                # one process gives a dead holder's token back

    def acquire(self, block=True, timeout=None):
        """Take the lock and note this process as its holder."""
        if not self.lock.acquire(block, timeout):
            return False
        self.holder.value = os.getpid()
        return True

    def release(self):
        """Clear the note, then give the lock back."""
        self.holder.value = 0
        self.lock._release_mine()

    __enter__ = acquire

    def __exit__(self, *exc_info):
        self.release()

    def acquire_or_reclaim(self, block=True, timeout=None):
        """``acquire``, but a holder found dead while we wait loses the lock.

        The wait is cut into slices of ``RECLAIM_EVERY``; between two, a
        holder that is no longer alive has its token given back.  Only for
        a lock whose holder leaves nothing half-done (the read lock).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if not block:
                got = self.acquire(False)
            elif deadline is None:
                got = self.acquire(True, RECLAIM_EVERY)
            else:
                left = max(0.0, deadline - time.monotonic())
                got = self.acquire(True, min(RECLAIM_EVERY, left))
            if got:
                return True
            if self.holder_is_dead():
                self.give_back_for_dead()
            if not block or (deadline is not None and time.monotonic() >= deadline):
                return False

    def holder_is_dead(self):
        """Does the note name a process (not this one) that is gone?"""
        pid = self.holder.value
        return bool(pid) and pid != os.getpid() and not util.pid_alive(pid)

    def give_back_for_dead(self):
        """Release the token the dead holder took with it (once, by one process)."""
        pid = self.holder.value
        if not self.repair.acquire(False):
            return                      # another process is repairing it
        try:
            if pid and self.holder.value == pid:    # nobody repaired it meanwhile
                self.holder.value = 0
                self.lock.release()
        finally:
            self.repair.release()

    def __repr__(self):
        return '<NotedLock holder=%s %r>' % (self.holder.value or 'none', self.lock)


# -- reading one message -------------------------------------------------------

_CUT = object()     # _read's answer when the writer died inside the message


def read_message(fd, wlock, block=True, deadline=None, on_cut=None):
    """One whole message from the queue's pipe, or None if none began in time.

    The caller holds the read lock (it is the only reader) and ``fd`` is
    non-blocking.  ``block`` and ``deadline`` (a ``time.monotonic`` value,
    or None) bound only the wait for a message to *begin*: once its first
    byte is read, the rest is waited for until it comes or its writer dies.
    ``on_cut()`` is called for each message a dead writer left unfinished.
    """
    while True:
        message = _read_frame(fd, wlock, block, deadline)
        if message is not _CUT:
            return message
        if on_cut is not None:
            on_cut()                    # then wait for the next message


def _read_frame(fd, wlock, block, deadline):
    header = _read(fd, 4, wlock, block, deadline)
    if header is None or header is _CUT:
        return header
    size, = _HEADER.unpack(header)
    if size == -1:
        big = _read(fd, 8, wlock, inside=4)
        if big is _CUT:
            return _CUT
        size, = _BIG_HEADER.unpack(big)
        header += big
    return _read(fd, size, wlock, inside=len(header))


def _read(fd, n, wlock, block=True, deadline=None, inside=0):
    """``n`` bytes from ``fd``; None if none came in time; _CUT if the
    writer died first.  ``inside``: bytes of this message already read."""
    if n == 0:
        return b''
    if n <= _SMALL_MESSAGE:
        try:
            data = os.read(fd, n)       # nearly always all of it, at once
        except BlockingIOError:
            data = b''
        else:
            if not data:
                _eof(inside)
        if len(data) == n:
            return data
        buf = bytearray(n)
        buf[:len(data)] = data
        got = len(data)
    else:
        buf, got = bytearray(n), 0      # big: read straight into the result
    view = memoryview(buf)
    while got < n:
        try:
            k = os.readv(fd, [view[got:]])
        except BlockingIOError:
            verdict = _wait(fd, wlock, inside + got, block, deadline)
            if verdict is None:
                return None
            if verdict is _CUT:
                _report_cut(wlock, inside + got, n - got)
                return _CUT
            continue
        if k == 0:
            _eof(inside + got)
        got += k
    return buf


def _wait(fd, wlock, read_so_far, block, deadline):
    """Wait for ``fd`` to be readable: True; None if nothing came in time;
    _CUT if the writer of this message died inside it."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        if read_so_far:
            slice_ = RECLAIM_EVERY      # inside a message: no deadline
        elif not block:
            slice_ = 0
        elif deadline is None:
            slice_ = RECLAIM_EVERY
        else:
            slice_ = min(RECLAIM_EVERY, max(0.0, deadline - time.monotonic()))
        if poller.poll(slice_ * 1000):
            return True
        # Nothing for a while.  Dead first, then empty: a dead process
        # writes no more, so a pipe found empty *after* its death holds
        # nothing of it.
        if wlock.holder_is_dead() and not poller.poll(0):
            if read_so_far:
                return _CUT
            wlock.give_back_for_dead()  # it wrote whole messages only
            continue                    # a live writer may take it now
        if not read_so_far and (not block or (
                deadline is not None and time.monotonic() >= deadline)):
            return None


def _report_cut(wlock, got, missing):
    pid = wlock.holder.value
    wlock.give_back_for_dead()
    sys.stderr.write(
        'teachmp.Queue: process %d died while writing a message into the '
        "queue; the %d bytes of it that arrived were dropped (%d never came), "
        'and the queue carries on with the next message.\n' % (pid, got, missing))
