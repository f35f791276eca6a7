"""Exercise 07.1: a shared counter service with a custom manager.

Uses: multiprocessing.managers.BaseManager and its register(),
threading.Lock, Process.  A manager's server answers each connection in its
own thread, so two processes calling ``increment()`` at the same moment run
it at the same moment, in two threads of the server: the counter itself must
be thread-safe.  ``ctx`` is a multiprocessing context
(``mp.get_context("spawn")`` ...) or None for the default one.
"""
import threading
import time
import multiprocessing as mp
from multiprocessing.managers import BaseManager


class Counter:
    """A counter that lives in the manager's server.

    ``Counter(start=0, delay=0.0)``: ``delay`` seconds pass between reading
    the count and writing it back (a stand-in for slow work, say a database
    round trip) -- it makes lost updates easy to see when the lock is
    missing.  Guard the read-sleep-write with a ``threading.Lock``.
    """

    def __init__(self, start=0, delay=0.0):
        self._value = start
        self._delay = delay
        self._lock = threading.Lock()

    def increment(self, n=1):
        """Add ``n``; return the new count."""
        with self._lock:
            value = self._value          # read
            if self._delay:
                time.sleep(self._delay)  # another thread would run here
            self._value = value + n      # write
            return self._value

    def value(self):
        """Return the count."""
        with self._lock:
            return self._value


class CounterManager(BaseManager):
    """A manager whose ``Counter(...)`` method makes a Counter in its server."""


CounterManager.register('Counter', Counter)


def hammer(counter, times):
    """Runs in each worker: call ``counter.increment()`` ``times`` times."""
    for _ in range(times):
        counter.increment()


def count_in_parallel(workers, times, delay=0.0, ctx=None):
    """Start a CounterManager, make one Counter(0, delay) in it, let
    ``workers`` processes run ``hammer(counter, times)`` (start all of them,
    then join all), and return the final count.  The manager is shut down
    before returning (use ``with``)."""
    ctx = ctx or mp.get_context()
    with CounterManager(ctx=ctx) as manager:
        counter = manager.Counter(0, delay)
        procs = [ctx.Process(target=hammer, args=(counter, times))
                 for _ in range(workers)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        return counter.value()
