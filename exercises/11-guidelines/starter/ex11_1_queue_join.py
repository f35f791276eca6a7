"""Exercise 11.1: fix the queue-join deadlock.

Uses: multiprocessing.Queue, Process; the guideline "get first, then join".

This version looks right and hangs as soon as the items are large::

    def collect(n_items, size):
        q = mp.Queue()
        p = mp.Process(target=produce, args=(q, n_items, size))
        p.start()
        p.join()                                   # waits for the child ...
        return [q.get() for _ in range(n_items)]   # ... which waits for us

A child that has put items on a queue does not end until its feeder thread
has written them all into the pipe, and a pipe holds only about 64 KiB.
Write both functions so that nothing can wait forever.
"""
import multiprocessing as mp


def make_item(i, size):
    """Item number ``i``: a string of ``size`` copies of one letter
    (``"a"`` for 0, ``"b"`` for 1, ..., ``"z"`` for 25, then ``"a"`` again)."""
    raise NotImplementedError('exercise 11.1: make_item()')


def produce(q, n_items, size):
    """Put ``make_item(0, size)`` .. ``make_item(n_items - 1, size)`` on
    ``q``, in that order (this runs in the child)."""
    raise NotImplementedError('exercise 11.1: produce()')


def collect(n_items, size, timeout=30):
    """Start one ``mp.Process`` running ``produce(q, n_items, size)`` on a new
    ``mp.Queue``; get all ``n_items`` items (at most ``timeout`` seconds for
    each ``get``), and only then join the child (again with ``timeout``).
    Return the list of items in the order they were put."""
    raise NotImplementedError('exercise 11.1: collect()')
