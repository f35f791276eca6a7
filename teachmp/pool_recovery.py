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
  (``resync_task_queue``).

None of this is needed to understand how a Pool works; skip it on a first
read.
"""

import contextlib
import os

from teachmp.pool_worker import (IDLE, RESULT_WRITER, TASK_READER,
                                 WorkerLostError, _FIELDS, _INDEX, _JOB, _PID)


def worker_exited(pool, slot, w):
    """``w`` (in ``slot``) has exited: repair what its death broke."""
    if pool._board is not None:
        fail_lost_task(pool._board, slot, w, pool._cache)
    if pool._owners is not None:
        if pool._owners[TASK_READER] == w.pid:
            resync_task_queue(pool._inqueue, pool._cache, w)
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
    for which, lock in ((TASK_READER, inqueue._rlock),
                        (RESULT_WRITER, outqueue._wlock)):
        if owners[which] == pid:
            owners[which] = 0
            lock.release()


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
