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
    for _ in range(n):
        if lock is None:
            counter.value += 1          # read, add, write back: three steps
        else:
            with lock:
                counter.value += 1


def count_with_lock(n):
    """4 processes run ``add_many(counter, n, lock)`` on one shared counter
    that starts at 0.  Start all four before joining any.  Return the
    final value of the counter (an ``int``)."""
    counter = mp.Value('i', 0, lock=False)      # a raw shared int, no lock
    lock = mp.Lock()
    procs = [mp.Process(target=add_many, args=(counter, n, lock))
             for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value


def count_without_lock(n):
    """The same as ``count_with_lock(n)``, with no lock at all.
    Return the final value of the counter (an ``int``)."""
    counter = mp.Value('i', 0, lock=False)
    procs = [mp.Process(target=add_many, args=(counter, n))
             for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value
