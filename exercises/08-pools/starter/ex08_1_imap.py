"""Exercise 08.1: imap_unordered built on apply_async and callbacks.

Uses: Pool.apply_async(func, args, callback=..., error_callback=...),
queue.Queue, multiprocessing.TimeoutError.  The callbacks run in a thread
of the pool inside *this* process, so a plain ``queue.Queue`` (a thread
queue, not a multiprocessing one) is the right way to hand results from
them to the generator.
"""
import multiprocessing as mp
import queue


def imap_unordered(pool, func, iterable, timeout=None):
    """A generator yielding ``func(x)`` for every ``x`` of ``iterable``, in
    the order the tasks *finish* (like ``pool.imap_unordered(func, iterable)``).

    * Submit one ``pool.apply_async(func, (x,), ...)`` per item; use only
      ``apply_async`` (no ``map``/``imap``).  Its ``callback`` and
      ``error_callback`` put what arrives into a ``queue.Queue``.
    * Then yield each value as it comes out of the queue, as many as there
      were items.
    * A task that raised: raise its exception (from the generator) when it
      comes out of the queue.
    * ``timeout``: if no result arrives within ``timeout`` seconds of
      waiting, raise ``multiprocessing.TimeoutError``.
    """
    raise NotImplementedError('exercise 08.1: imap_unordered()')
