"""What the Pool does when a worker process dies: teachmp only.

The stdlib's Pool replaces a worker that exited, and that is all: if the
worker died *in the middle of a task* (SIGKILL, ``os._exit``, a segfault, the
OOM killer), the task's result never comes and ``get()`` waits forever
(CPython issue gh-66587).  teachmp's worker handler calls ``worker_exited``
for every worker it finds dead, before replacing it, and repairs three
things, each from a note the worker left in shared memory (see
``pool_worker``):

* the **lost task**: the worker's slot on the board still names the job and
  part it was running -- that result fails with ``WorkerLostError``;
* a **lock taken with it**: idle workers wait for a task inside the task
  queue's read lock, and send results inside the result queue's write lock.
  A worker killed there took the lock's token with it, and everyone else
  would wait forever: the token is given back (``recover_locks``);
* a lock taken with it **when the queues are not teachmp's**: a subclass's
  ``_setup_queues`` may bring queues whose holders nobody notes (joblib's).
  ``terminate()`` then holds the result queue's write lock itself while it
  kills the workers (``result_lock_held``), so none of them dies holding it;
* a **half-read task**: a worker killed while reading a task leaves the rest
  of that message in the pipe, and the next reader would take it for a new
  header.  The pipe is emptied and the results of the tasks in it fail
  (``resync_task_queue``);
* a **half-written result**: a worker killed while writing its result
  leaves the first part of that message in the result pipe, and the result
  handler would wait forever for the rest.  The result handler reads the
  pipe through a ``ResultStream``, which never waits inside a message and
  drops the cut-off one (the task itself fails through the board), and
  it waits through a ``ResultWait``, so that terminate() can stop it
  without a message from a worker that may be dead.

``setup_board`` makes the notes (the pool's ``_setup_board`` calls it).

None of this is needed to understand how a Pool works; skip it on a first
read.
"""

import collections
import contextlib
import os
import time

from teachmp import connection, queue_recovery
from teachmp.connection import _BIG_HEADER, _HEADER
from teachmp.pool_worker import (IDLE, RESULT_WRITER, TASK_READER, TASK_WAITING,
                                 WorkerLostError, _FIELDS, _INDEX, _JOB, _PID)
from teachmp.queues import SimpleQueue
from teachmp.reduction import ForkingPickler


def worker_exited(pool, slot, w):
    """``w`` (in ``slot``) has exited: repair what its death broke."""
    if pool._board is not None:
        fail_lost_task(pool._board, slot, w, pool._cache)
    if pool._owners is not None:
        if pool._owners[TASK_READER] == w.pid:
            resync_task_queue(pool._inqueue, pool._cache, w)
        stream = getattr(pool, '_results', None)
        if stream is not None and pool._owners[RESULT_WRITER] == w.pid:
            # Killed while writing a result: the result handler must drop
            # the cut-off message before anyone else may write (see
            # ResultStream); it gives the lock back itself.
            pool._owners[RESULT_WRITER] = 0
            stream.writer_died(pool._outqueue._wlock.release)
        recover_locks(pool._owners, pool._inqueue, pool._outqueue, w.pid)


def fail_lost_task(board, slot, w, cache):
    """If the dead worker was running a task, fail that part of its result."""
    base = slot * _FIELDS
    if board[base + _JOB] == IDLE or board[base + _PID] != w.pid:
        return
    job, i = board[base + _JOB], board[base + _INDEX]
    board[base + _JOB] = IDLE
    result = cache.get(job)
    if result is not None:
        result._set(i, (False, WorkerLostError(
            'worker %s (pid %d) died with exit code %d while running this '
            'task; its result is lost. The pool has started a replacement '
            'worker.' % (w.name, w.pid, w.exitcode))))


def resync_task_queue(inqueue, cache, dead):
    """A worker died in the middle of reading a task: repair the stream.

    It may have read half a message, and the next reader would take the
    rest for a new header.  Under the write lock (so the task handler adds
    nothing meanwhile) empty the pipe, and fail every pending result: some
    of their tasks were in it.  Work submitted later runs normally.
    """
    reader, wlock = inqueue._reader, inqueue._wlock
    # The task handler may be blocked writing into the full pipe while
    # holding the write lock: keep reading until it lets go of it.
    while not wlock.acquire(False):
        if reader.poll(0.01):
            os.read(reader.fileno(), 1 << 16)
    try:
        while reader.poll(0):
            os.read(reader.fileno(), 1 << 16)
    finally:
        wlock.release()
    error = WorkerLostError(
        'worker %s (pid %d) died with exit code %d while receiving a task; '
        'the tasks queued at that moment were lost with it. The pool has '
        'started a replacement worker.' % (dead.name, dead.pid, dead.exitcode))
    for result in list(cache.values()):
        result._fail(error)


def recover_locks(owners, inqueue, outqueue, pid):
    """Give back the queue locks that the dead worker ``pid`` held."""
    # A worker killed while holding a queue lock took the lock's token
    # with it; give it back, or every other worker waits forever.
    # Waiting for a task or reading one, the worker held the read lock (for
    # an instant both notes name it: release once).
    reading = pid in (owners[TASK_WAITING], owners[TASK_READER])
    for which in (TASK_WAITING, TASK_READER):
        if owners[which] == pid:
            owners[which] = 0
    if reading:
        inqueue._rlock.release()
    if owners[RESULT_WRITER] == pid:
        owners[RESULT_WRITER] = 0
        outqueue._wlock.release()


def find_lost_tokens(pool, now=None):
    """Give back a queue lock that is held, but by nobody the notes name.

    A worker notes that it holds a lock just *after* taking it and clears
    the note just *before* giving it back.  Killed in between, it takes the
    token with it and no note says so.  The worker handler calls this after
    every wake-up: a lock found held with an empty note at every call for
    LOST_TOKEN_AFTER seconds lost its token that way (a live worker stays
    in that gap for microseconds; one look that finds the lock free or the
    note set clears the suspicion).
    """
    now = time.monotonic() if now is None else now
    stream = getattr(pool, '_results', None)
    for which, lock in ((TASK_READER, pool._inqueue._rlock),
                        (RESULT_WRITER, pool._outqueue._wlock)):
        if which == RESULT_WRITER and stream is not None and stream._release is not None:
            suspicious = False  # held on purpose until the stream drops a message
        elif pool._owners[which] != 0 or (
                which == TASK_READER and pool._owners[TASK_WAITING] != 0):
            suspicious = False
        elif lock.acquire(False):
            lock.release()
            suspicious = False
        else:
            suspicious = True
        if not suspicious:
            pool._token_suspects.pop(which, None)
            continue
        since = pool._token_suspects.setdefault(which, now)
        if (now - since >= LOST_TOKEN_AFTER and pool._owners[which] == 0
                and not (which == TASK_READER and pool._owners[TASK_WAITING] != 0)):
            del pool._token_suspects[which]
            lock.release()


# How long a lock must look held-by-nobody before find_lost_tokens gives
# its token back: the Queue's locks follow the same rule, with the same time.
LOST_TOKEN_AFTER = queue_recovery.LOST_TOKEN_AFTER


def setup_board(pool):
    """Make the shared notes that workers keep for this module.

    The board has one slot per worker: the task it runs (see
    ``fail_lost_task``).  With teachmp's own queues there are also the
    notes of who holds a queue lock (``pool._owners``, see
    ``recover_locks``) and the ResultStream that the result handler reads
    results through; a subclass's ``_setup_queues`` may bring other queues,
    whose lock holders workers cannot note.  ``Pool._setup_board`` (the
    hook a subclass may override) calls it.
    """
    from teachmp.sharedctypes import RawArray
    pool._board = RawArray('q', _FIELDS * pool._processes)
    for slot in range(pool._processes):
        pool._board[slot * _FIELDS + _JOB] = IDLE
    pool._owners = None
    pool._results = None
    pool._token_suspects = {}       # see find_lost_tokens
    if isinstance(pool._inqueue, SimpleQueue) and isinstance(pool._outqueue, SimpleQueue):
        pool._owners = RawArray('q', 3)     # see pool_worker.TASK_READER
        # read results so that a worker killed mid-message cannot wedge
        # the result handler (ResultStream)
        pool._results = ResultStream(pool._outqueue._reader)
        pool._quick_get = pool._results.get


class ResultStream:
    """The result pipe, read message by message without ever blocking
    inside a message.

    ``Connection.recv`` reads a header and then waits for as many bytes as
    it announced.  If the worker writing that message is killed half-way,
    the bytes never come, and the result handler -- the only reader --
    waits forever: every later result is stuck behind it.  So the pool's
    ``_result_waiting`` calls ``ready``, which reads whatever the pipe holds
    right now and reports whether a *whole* message is buffered;
    ``_quick_get`` then returns it.  A message cut short stays in the
    buffer until the worker handler reports the writer's death
    (``writer_died``): by then the dead writer added all it ever will, and
    nobody else can write (it took the write lock with it), so once the
    pipe is empty the partial message is dropped and the lock given back.
    """

    CHUNK = 1 << 18

    def __init__(self, conn):
        self._conn = conn
        self._buf = bytearray()
        self._messages = collections.deque()
        self._eof = False
        self._release = None        # set by writer_died
        self.dropped = 0            # cut-off messages dropped so far

    def writer_died(self, release):
        """The writer of the message in progress died: ``release`` gives its
        lock back once the cut-off message is dropped (see ``ready``)."""
        self._release = release

    def ready(self, timeout):
        """Is a whole message (or the end of the pipe) buffered?"""
        if not self._messages and not self._eof:
            if self._conn.poll(timeout):
                self._read_available()
            elif self._release is not None:
                if self._buf:
                    self.dropped += 1
                    self._buf.clear()
                release, self._release = self._release, None
                release()
        return bool(self._messages) or self._eof

    def get(self):
        """The next whole message, unpickled (EOFError at the end of the pipe)."""
        while not self.ready(0.2):
            pass
        if not self._messages:
            raise EOFError
        return ForkingPickler.loads(self._messages.popleft())

    def _read_available(self):
        # poll said readable and this is the only reader: one read cannot block
        data = os.read(self._conn.fileno(), self.CHUNK)
        if not data:
            self._eof = True
            return
        buf = self._buf
        buf += data
        while len(buf) >= 4:
            size, = _HEADER.unpack_from(buf)
            start = 4
            if size == -1:
                if len(buf) < 12:
                    break
                size, = _BIG_HEADER.unpack_from(buf, 4)
                start = 12
            if len(buf) < start + size:
                break
            self._messages.append(bytes(buf[start:start + size]))
            del buf[:start + size]

    def __repr__(self):
        return '<ResultStream buffered=%d bytes, %d messages, dropped=%d>' % (
            len(self._buf), len(self._messages), self.dropped)


class ResultWait:
    """The result handler's wait for the next result, which terminate() can
    cut short.

    The result handler does not block in ``get()``: it waits, 0.2 s at a
    time, until a result can be read.  Then terminate() needs no message
    (nor the result queue's write lock, which a killed worker may have
    taken with it) to stop it.  The wait includes a wake-up pipe of its own,
    so that terminate() does not wait out the timeout either: a program
    that makes and terminates many pools (joblib does, one per Parallel
    call) would lose that much each time.  With a ResultStream (teachmp's
    own queues) only a *whole* message counts, and a dead writer's cut-off
    message is dropped (by its ``ready(0)``).

    The pool hands this object to the handler as its ``_result_waiting``:
    an object of the pipes, not a bound method, which would hold the pool
    for as long as the thread waits, so that a dropped pool could not be
    collected (the thread has only a weak proxy; see pool_handlers).
    ``reader`` is None when a subclass brings its own ``_result_waiting``.
    """

    def __init__(self, reader, stream):
        self._reader = reader
        self._stream = stream
        self.wake_r, self.wake_w = os.pipe()    # the pool closes them (FdCloser)

    def __call__(self, timeout):
        """True if a result (or the end of the pipe) can be read now; False
        after ``timeout`` seconds or when ``wake`` was called."""
        reader, stream = self._reader, self._stream
        if stream is not None and stream.ready(0):
            return True
        if reader not in connection.wait([reader, self.wake_r], timeout):
            if stream is not None:
                stream.ready(0)         # lets a dead writer's lock go back
            return False
        return stream.ready(0) if stream is not None else True

    def wake(self):
        """End the current wait now (the byte stays unread: the handler
        leaves once it sees the pool's ``_results_stop``)."""
        try:
            os.write(self.wake_w, b'!')
        except OSError:
            pass

    def __repr__(self):
        return '<ResultWait reader=%r stream=%r wake_fds=(%d, %d)>' % (
            self._reader, self._stream, self.wake_r, self.wake_w)


@contextlib.contextmanager
def result_lock_held(pool):
    """Hold the result queue's write lock, if ``recover_locks`` cannot help.

    A worker killed while it holds that lock (sending a result) takes the
    lock's only token with it, and the task handler, which sends the result
    handler's sentinel through the same queue when the pool closes, would
    wait for it for ever.  For a subclass's queues (joblib's MemmappingPool
    pickles results inside that lock, so a worker still holds it a moment
    after its result has arrived) ``terminate()`` takes the lock before the
    workers die: then none of them holds it.  A worker in the middle of a
    send lets go in a moment; a token lost earlier (a worker killed from
    outside) never comes back, so the wait is bounded.
    """
    wlock = getattr(pool._outqueue, '_wlock', None)
    if pool._owners is not None or wlock is None or not wlock.acquire(timeout=5):
        yield
        return
    try:
        yield
    finally:
        wlock.release()
