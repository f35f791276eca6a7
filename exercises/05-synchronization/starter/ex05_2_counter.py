"""Exercise 05.2: break it -- a shared counter with and without a lock.

Uses: multiprocessing.Value (or RawValue), multiprocessing.Lock, Process.
Before you run the tests, write down your prediction: 4 processes each add
1 to the counter n times.  What does each function return?
"""
import multiprocessing as mp

PROCESSES = 4


def add_many(counter, n, lock=None):
    """Runs in each worker: ``counter.value += 1``, ``n`` times; each
    ``+= 1`` inside ``with lock:`` when a lock is given."""
    raise NotImplementedError('exercise 05.2: add_many()')


def count_with_lock(n):
    """4 processes run ``add_many(counter, n, lock)`` on one shared counter
    that starts at 0.  Start all four before joining any.  Return the
    final value of the counter (an ``int``)."""
    raise NotImplementedError('exercise 05.2: count_with_lock()')


def count_without_lock(n):
    """The same as ``count_with_lock(n)``, with no lock at all.
    Return the final value of the counter (an ``int``)."""
    raise NotImplementedError('exercise 05.2: count_without_lock()')
