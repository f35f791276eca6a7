"""The Pool's three helper threads, each a loop over the pool's state.

* ``handle_tasks`` takes submitted work from ``pool._taskqueue`` (a thread
  queue, filled by ``apply_async``/``map_async``/``imap``) and writes each task
  to the task queue that every worker reads;
* ``handle_results`` reads ``(job, i, result)`` messages from the result
  queue and completes the result object registered under ``job``;
* ``handle_workers`` replaces workers that exited, and when the pool is
  closed and the work is done, starts the shutdown.

Each runs in its own thread of the caller's process (``Pool.__init__``
starts them with ``start_handler``; ``terminate()`` stops them with
``join_unless_current`` and ``drain_tasks_until``) and gets the pool as a
*weak proxy*:
``pool._cache`` reads the pool's attribute, but the thread holds no reference
that would keep the pool alive.  If the program drops the pool, ``__del__``
terminates it, and a handler that touches it afterwards gets
``ReferenceError`` and ends.
"""

import os
import threading
import weakref

from teachmp import connection, log

# The pool's states (``Pool._state``), as in the stdlib: INIT while the
# workers start, RUN, then CLOSE (close()) or TERMINATE (terminate()).
INIT, RUN, CLOSE, TERMINATE = 'INIT', 'RUN', 'CLOSE', 'TERMINATE'


# The classic mistake: pool.map(lambda x: ..., items).  pickle names a
# function by module and qualified name; these two have no name it can find.
_UNFINDABLE = ('<lambda>', '<locals>')
POOL_PICKLING_HINT = (
    'hint: a Pool pickles every task (its function and arguments) to send it '
    'to a worker, '
    'and pickle finds a function again by its name: a lambda, or a function '
    'defined inside another function, has no name it can look up. Define the '
    'function at the top level of a module (functools.partial of one fixes '
    'some arguments). See chapter 08, "Pitfalls".')


def add_pickling_hint(exc):
    """Add the teaching hint to the error of a task whose function is a
    lambda or a local function.  The exception keeps its type (the stdlib's
    PicklingError or AttributeError) and its message; the hint comes after,
    as a note where Python has them (3.11+), else as a second line."""
    message = str(exc)
    if not any(mark in message for mark in _UNFINDABLE):
        return
    if hasattr(exc, 'add_note'):
        if POOL_PICKLING_HINT not in getattr(exc, '__notes__', ()):
            exc.add_note(POOL_PICKLING_HINT)
    elif exc.args and isinstance(exc.args[0], str) and POOL_PICKLING_HINT not in message:
        exc.args = (exc.args[0] + '\n' + POOL_PICKLING_HINT,) + exc.args[1:]


# -- starting and stopping a handler thread ---------------------------------------

def start_handler(handler, pool, name):
    """Start a daemon thread that runs ``handler`` on a weak proxy of ``pool``,
    so that the thread does not keep the pool alive."""
    thread = threading.Thread(target=run_handler, name=name, daemon=True,
                              args=(handler, weakref.proxy(pool)))
    thread.start()
    return thread


def join_unless_current(thread):
    """Join ``thread``, unless this code runs in it (or it never started: None)."""
    # terminate() may run in a handler thread: __del__ runs wherever the
    # pool's last reference goes (a result handler finishing a result).
    if thread is not None and thread is not threading.current_thread():
        thread.join()


def drain_tasks_until(inqueue, thread):
    """Read and drop tasks from ``inqueue``'s pipe until ``thread`` ends."""
    # The task handler may be blocked writing to a full task pipe that no
    # (dead) worker will ever read: read it ourselves until it finishes.
    reader = getattr(inqueue, '_reader', None)
    while (thread is not None and thread.is_alive()
           and thread is not threading.current_thread()):
        if reader is not None and reader.poll(0.05):
            reader.recv_bytes()
        thread.join(0.01)


def run_handler(handler, pool):
    """A handler thread's body: ``handler(pool)``, ``pool`` a weak proxy."""
    try:
        handler(pool)
    except ReferenceError:
        pass        # the pool was garbage collected: __del__ terminated it


def handle_tasks(pool):
    """The task handler: write submitted tasks to the task queue, in order."""
    while True:
        entry = pool._taskqueue.get()
        if entry is None:
            log.debug('task handler got sentinel')
            break
        tasks, set_length = entry
        count = 0
        try:
            for task in tasks:
                if pool._state == TERMINATE:
                    break
                try:
                    pool._quick_put(task)
                except Exception as e:      # e.g. unpicklable arguments
                    add_pickling_hint(e)
                    job, i = task[:2]
                    result = pool._cache.get(job)
                    if result is not None:
                        result._set(i, (False, e))
                    # Drop our references: the exception's traceback
                    # holds the task's arguments (and their pipes).
                    result = e = None
                count += 1
        except Exception as e:  # the caller's iterable raised
            iterator = getattr(set_length, '__self__', None)
            if iterator is not None:
                iterator._set(count, (False, e))
                count += 1
        if set_length is not None:
            set_length(count)
    if pool._state == TERMINATE:
        return      # terminate() stops the workers and the result handler
    # Closing: tell every worker to stop, then the result handler.
    log.debug('task handler sending sentinel to workers')
    for _ in pool._pool:
        pool._quick_put(None)
    log.debug('task handler sending sentinel to result handler')
    pool._outqueue.put(None)
    log.debug('task handler exiting')


def handle_results(pool):
    """The result handler: hand each answer to its result object."""
    while True:
        if pool._state == TERMINATE and pool._results_stop:
            return
        if not pool._result_waiting(0.2):
            continue
        try:
            message = pool._quick_get()
        except (EOFError, OSError):
            return
        if message is None:
            log.debug('result handler got sentinel')
            return
        job, i, obj = message
        result = pool._cache.get(job)
        if result is not None:
            result._set(i, obj)
        if not pool._cache and pool._state != RUN:
            pool._wake()        # all work done: let close()/join() finish


def handle_workers(pool):
    """The worker handler: keep the pool at its size until the work is done."""
    while pool._state == RUN or (pool._cache and pool._state != TERMINATE):
        pool._maintain_pool()
        ready = connection.wait(pool._worker_sentinels() + [pool._wake_r],
                                timeout=0.5)
        if pool._wake_r in ready:
            os.read(pool._wake_r, 4096)
    if pool._state != TERMINATE:
        pool._taskqueue.put(None)
    log.debug('worker handler exiting')
