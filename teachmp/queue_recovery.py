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
stdlib, a process's buffer dies with it).  A consumer killed half-way
through *reading* a message leaves the rest of it in the pipe, which the
next reader would take for a header: so the read lock (``ReadLock``) also
notes how many bytes of the current message are still unread, and the next
reader drops them first.  A process killed between taking a lock and
writing its note leaves a lock held by nobody the note names;
``NotedLock.looks_lost`` finds it after a second.  What remains are windows
of a few bytecodes: a reader killed between two reads of one message before
it noted what is left (``_read`` says when it notes).
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
# How long a lock must look held by nobody before its token is given back.
LOST_TOKEN_AFTER = 1.0


class NotedLock:
    """A Lock plus a note in shared memory of which process holds it."""

    def __init__(self):
        self.lock = Lock()
        self.holder = RawValue('q', 0)      # pid of the holder, 0: nobody
        self.taken = RawValue('q', 0)       # acquisitions so far (see looks_lost)
        self.repair = Lock()                # one process gives a dead holder's token back
        self._suspect = None                # (since, taken) while it looks lost, this process

    def acquire(self, block=True, timeout=None):
        """Take the lock and note this process as its holder."""
        if not self.lock.acquire(block, timeout):
            return False
        self.holder.value = os.getpid()
        self.taken.value += 1               # under the lock: no update is lost
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
            elif self.looks_lost():
                self.give_back_lost()
            if not block or (deadline is not None and time.monotonic() >= deadline):
                return False

    def holder_is_dead(self):
        """Does the note name a process (not this one) that is gone?"""
        pid = self.holder.value
        return bool(pid) and pid != os.getpid() and not util.pid_alive(pid)

    def give_back_for_dead(self):
        """Release the token the dead holder took with it (once, by one process)."""
        pid = self.holder.value
        self._give_back_if(lambda: pid and self.holder.value == pid)

    def _give_back_if(self, still_lost):
        # One process repairs, and only if the lock is still lost when it
        # has the repair lock: another may have repaired it meanwhile.
        if not self.repair.acquire(False):
            return                      # another process is repairing it
        try:
            if still_lost():
                self.holder.value = 0
                self.lock.release()
        finally:
            self.repair.release()

    def looks_lost(self):
        """Held, with no note, and nobody took it for ``LOST_TOKEN_AFTER`` s?

        A process notes that it holds the lock just *after* taking it.
        Killed in between, it takes the token with it and no note says so.
        A live process stays in that gap for microseconds, so a lock seen
        held with an empty note, and not taken again, at every look for a
        second lost its token that way.  (The pool's ``find_lost_tokens``
        judges its own locks by the same rule.)
        """
        if self.holder.value or self.lock._get_value():
            self._suspect = None            # noted, or free: nothing lost
            return False
        now, taken = time.monotonic(), self.taken.value
        if self._suspect is None or self._suspect[1] != taken:
            self._suspect = (now, taken)
            return False
        return now - self._suspect[0] >= LOST_TOKEN_AFTER

    def give_back_lost(self):
        """Release a token that ``looks_lost`` found gone with no note."""
        taken = self._suspect[1] if self._suspect else None
        self._suspect = None
        self._give_back_if(lambda: self.taken.value == taken and not self.holder.value
                           and not self.lock._get_value())

    def __repr__(self):
        return '<%s holder=%s %r>' % (type(self).__name__, self.holder.value or 'none',
                                      self.lock)


class ReadLock(NotedLock):
    """The read lock also notes how much of the message being read is still
    in the pipe (``unread``): a reader killed half-way through a message
    leaves that many bytes, and the next reader drops them first."""

    def __init__(self):
        super().__init__()
        self.unread = RawValue('q', 0)


# -- reading one message -------------------------------------------------------

_CUT = object()     # _read's answer when the writer died inside the message


def read_message(fd, rlock, wlock, block=True, deadline=None, on_dropped=None):
    """One whole message from the queue's pipe, or None if none began in time.

    The caller holds ``rlock`` (it is the only reader) and ``fd`` is
    non-blocking.  ``block`` and ``deadline`` (a ``time.monotonic`` value,
    or None) bound only the wait for a message to *begin*: once its first
    byte is read, the rest is waited for until it comes or its writer dies.
    ``on_dropped(written)`` is called for each message that will never be
    delivered: ``written`` is True when it was whole in the pipe (the reader
    before us died inside it), False when its writer died inside it.
    """
    unread = rlock.unread
    if unread.value:
        _drop_rest(fd, wlock, unread)
        if on_dropped is not None:
            on_dropped(True)
    while True:
        message = _read_frame(fd, wlock, unread, block, deadline)
        if message is not _CUT:
            return message
        if on_dropped is not None:
            on_dropped(False)           # then wait for the next message


def _read_frame(fd, wlock, unread, block, deadline):
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
    return _read(fd, size, wlock, inside=len(header), unread=unread)


def _drop_rest(fd, wlock, unread):
    # The reader before us was killed inside a message: what is left of it
    # would be taken for a header.  Read it and let it go.
    left = unread.value
    rest = _read(fd, left, wlock, inside=1, unread=unread)
    unread.value = 0
    sys.stderr.write(
        'teachmp.Queue: a process died while reading a message from the '
        'queue; the %d bytes of it left in the pipe were dropped%s.\n'
        % (left, '' if rest is not _CUT else ' (its writer died too)'))


def _read(fd, n, wlock, block=True, deadline=None, inside=0, unread=None):
    """``n`` bytes from ``fd``; None if none came in time; _CUT if the
    writer died first.  ``inside``: bytes of this message already read.

    ``unread``, if given, notes the bytes still to read whenever a read
    leaves some (0 once all are read, or the message is dropped).  Not when
    one read takes them all: that saves two writes to shared memory per
    message, and leaves a window of a few bytecodes between the reads.
    """
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
        if unread is not None:
            unread.value = n - got
    else:
        buf, got = bytearray(n), 0      # big: read straight into the result
        if unread is not None:
            unread.value = n
    view = memoryview(buf)
    while got < n:
        try:
            k = os.readv(fd, [view[got:]])
        except BlockingIOError:
            verdict = _wait(fd, wlock, inside + got, block, deadline)
            if verdict is None:
                return None
            if verdict is _CUT:
                if unread is not None:
                    unread.value = 0
                _report_cut(wlock, inside + got, n - got)
                return _CUT
            continue
        if k == 0:
            _eof(inside + got)
        got += k
        if unread is not None:
            unread.value = n - got
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
        if not read_so_far and wlock.looks_lost() and not poller.poll(0):
            wlock.give_back_lost()      # killed before it wrote a byte
            continue
        if not read_so_far and (not block or (
                deadline is not None and time.monotonic() >= deadline)):
            return None


def _report_cut(wlock, got, missing):
    pid = wlock.holder.value
    wlock.give_back_for_dead()
    sys.stderr.write(
        'teachmp.Queue: process %d died while writing a message into the '
        'queue; the %d bytes of it that arrived were dropped (%d never came), '
        'and the queue carries on with the next message.\n' % (pid, got, missing))
