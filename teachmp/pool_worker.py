"""What a pool worker process does: take a task, run it, send the result.

A worker loops on the pool's task queue.  A task is ``(job, i, func, args,
kwds)``: ``job`` names the caller's result object, ``i`` the part of it
(``map`` splits its input into chunks, one task each).  The worker replies
``(job, i, (True, value))`` or ``(job, i, (False, exception))``.  ``None``
instead of a task means "stop"; so does reaching ``maxtasksperchild``.

Two details make failures visible instead of silent:

* an exception raised by the task travels back with its traceback as text,
  attached as ``__cause__`` (``RemoteTraceback``), because a traceback object
  cannot be pickled;
* a result that cannot be pickled is replaced by ``MaybeEncodingError``
  saying so, instead of killing the worker.

And one makes worker *deaths* visible: before running a task the worker
writes ``(pid, job, i)`` into its slot of a small shared ``board``
(``RawArray``), and clears it afterwards.  If the worker dies mid-task, the
pool reads the slot and knows exactly which result will never come.
"""

import itertools
import os
import traceback

from teachmp import errors, log
from teachmp.reduction import ForkingPickler

_PID, _JOB, _INDEX, _FIELDS = 0, 1, 2, 3
IDLE = -1


class RemoteTraceback(Exception):
    """The text of a traceback from a worker process."""

    def __init__(self, tb):
        self.tb = tb

    def __str__(self):
        return self.tb


class ExceptionWithTraceback:
    """Carries an exception and its formatted traceback through pickle."""

    def __init__(self, exc, tb):
        text = ''.join(traceback.format_exception(type(exc), exc, tb))
        self.exc = exc
        self.tb = '\n"""\n%s"""' % text

    def __reduce__(self):
        return _rebuild_exc, (self.exc, self.tb)


def _rebuild_exc(exc, tb):
    exc.__cause__ = RemoteTraceback(tb)
    return exc


class MaybeEncodingError(errors.ProcessError):
    """A worker's result (or exception) could not be pickled to send it back."""

    def __init__(self, exc, value):
        self.exc = repr(exc)
        self.value = repr(value)
        super().__init__(self.exc, self.value)

    def __str__(self):
        return "Error sending result: '%s'. Reason: '%s'" % (self.value, self.exc)

    def __repr__(self):
        return '<%s: %s>' % (type(self).__name__, self)


class WorkerLostError(errors.ProcessError):
    """A worker process died while it was running this task (teachmp only:
    the stdlib's Pool waits for such a result forever)."""


def mapstar(args):
    """``list(map(func, chunk))``: run one chunk of a ``map`` task."""
    return list(map(*args))


def starmapstar(args):
    """``list(starmap(func, chunk))``: run one chunk of a ``starmap`` task."""
    return list(itertools.starmap(args[0], args[1]))


# Which worker (pid) holds the task queue's read lock and the result queue's
# write lock right now; 0 if none.  TASK_WAITING: holds the read lock and
# waits for a task to arrive, nothing read yet (killed there, it leaves the
# pipe intact).  See _get_task and _put_result.
TASK_READER, RESULT_WRITER, TASK_WAITING = 0, 1, 2


def _get_task(inqueue, owners, board=None, base=0):
    """``inqueue.get()``, noting in shared memory that we hold its read lock.

    Idle workers sleep inside ``get`` holding the queue's read lock.  If one
    is killed there, the lock's token is gone with it and every other worker
    would wait forever; the pool sees the pid in ``owners`` and gives the
    token back.
    """
    rlock = getattr(inqueue, '_rlock', None)
    if rlock is None or owners is None:
        return inqueue.get()
    rlock.acquire()
    pid = os.getpid()
    owners[TASK_WAITING] = pid
    try:
        # Idle workers wait here.  Killed while waiting, a worker took only
        # the lock's token: the pipe holds whole tasks, nothing to resync.
        inqueue._reader.poll(None)
    except BaseException:
        owners[TASK_WAITING] = 0
        rlock.release()
        raise
    owners[TASK_READER] = pid       # before the other note goes: no gap
    owners[TASK_WAITING] = 0
    try:
        data = inqueue._reader.recv_bytes()
        # Unpickled before the note is cleared: a worker that dies right
        # after taking the task (SIGKILL, an argument whose unpickling
        # fails or crashes) is still "the reader", so the pool fails the
        # queued work (pool_recovery.resync_task_queue) instead of waiting
        # for a task nobody can name any more.
        task = ForkingPickler.loads(data)
        if board is not None and task is not None:
            # On the board before the note goes: no moment when a worker
            # killed here has a task that neither note names.
            board[base + _PID], board[base + _INDEX] = os.getpid(), task[1]
            board[base + _JOB] = task[0]
    except (EOFError, OSError):
        owners[TASK_READER] = 0     # the pool went away: a normal exit
        rlock.release()
        raise
    # Any other exception leaves the note and the lock to the pool: the
    # worker dies of it, and the pool repairs both.
    owners[TASK_READER] = 0
    rlock.release()
    return task


def _put_result(outqueue, message, owners):
    """``outqueue.put(message)``, noting that we hold its write lock."""
    wlock = getattr(outqueue, '_wlock', None)
    if wlock is None or owners is None:
        return outqueue.put(message)
    data = ForkingPickler.dumps(message)     # may fail: before the lock
    with wlock:
        owners[RESULT_WRITER] = os.getpid()
        try:
            outqueue._writer.send_bytes(data)
        finally:
            owners[RESULT_WRITER] = 0


def worker(inqueue, outqueue, initializer=None, initargs=(), maxtasks=None,
           board=None, slot=0, owners=None, wrap_exception=True):
    """The loop of a pool worker process: take a task, run it, send the result."""
    if initializer is not None:
        initializer(*initargs)
    pid = os.getpid()
    base = slot * _FIELDS
    done = 0
    while maxtasks is None or done < maxtasks:
        try:
            task = _get_task(inqueue, owners, board, base)
        except (EOFError, OSError):
            log.debug('worker got EOFError or OSError -- exiting')
            break                       # the pool went away
        if task is None:
            log.debug('worker got sentinel -- exiting')
            break
        job, i, func, args, kwds = task
        if board is not None:
            board[base + _PID], board[base + _JOB], board[base + _INDEX] = pid, job, i
        try:
            result = (True, func(*args, **kwds))
        except Exception as e:
            if wrap_exception and func is not _helper_reraises:
                e = ExceptionWithTraceback(e, e.__traceback__)
            result = (False, e)
        try:
            _put_result(outqueue, (job, i, result), owners)
        except Exception as e:
            _put_result(outqueue, (job, i, (False, MaybeEncodingError(e, result[1]))),
                        owners)
        if board is not None:
            board[base + _JOB] = IDLE
        task = job = func = args = kwds = result = None   # free them now
        done += 1
    log.debug('worker exiting after %d tasks', done)


def _helper_reraises(exc):
    raise exc
