"""Exercise 06.1: a parallel histogram into a shared Array.

Uses: multiprocessing.RawArray, multiprocessing.Array (and its get_lock()),
Process.  ``ctx`` is a multiprocessing context (``mp.get_context("spawn")``
...) or None for the default one: create every shared object and process
from it, so the same code works with fork and with spawn.
"""
import multiprocessing as mp


def count_slice(data, start, stop, counts):
    """Runs in each worker: count ``data[start:stop]`` into ``counts``.

    ``data`` is a shared array of ints, ``counts`` a shared ``Array('i', bins)``
    (with its lock).  Count in a local list first, then add the local counts
    into ``counts`` while holding ``counts.get_lock()`` -- once, not once per
    item.  Add: other workers' counts are already there.
    """
    raise NotImplementedError('exercise 06.1: count_slice()')


def parallel_histogram(data, bins, workers=4, ctx=None):
    """Return ``[data.count(b) for b in range(bins)]``, computed by ``workers``
    processes that each count one contiguous slice of ``data``.

    Check the input first: a value outside ``range(bins)`` raises
    ``ValueError`` before any process starts.  Copy ``data`` into a shared
    ``RawArray('i', ...)`` (the workers only read it), make ``counts`` an
    ``Array('i', bins)``, start the workers (all of them before joining
    any), join them, and return the counts as a list of ints.
    """
    raise NotImplementedError('exercise 06.1: parallel_histogram()')
