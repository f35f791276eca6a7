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
    local = [0] * len(counts)
    for value in data[start:stop]:
        local[value] += 1
    with counts.get_lock():             # read + add + write of every bin, whole
        for i, n in enumerate(local):
            if n:
                counts[i] += n


def parallel_histogram(data, bins, workers=4, ctx=None):
    """Return ``[data.count(b) for b in range(bins)]``, computed by ``workers``
    processes that each count one contiguous slice of ``data``.

    Check the input first: a value outside ``range(bins)`` raises
    ``ValueError`` before any process starts.  Copy ``data`` into a shared
    ``RawArray('i', ...)`` (the workers only read it), make ``counts`` an
    ``Array('i', bins)``, start the workers (all of them before joining
    any), join them, and return the counts as a list of ints.
    """
    ctx = ctx or mp.get_context()
    for value in data:
        if not 0 <= value < bins:
            raise ValueError(f'{value!r} is not in range({bins})')
    shared = ctx.RawArray('i', list(data))
    counts = ctx.Array('i', bins)
    n = len(shared)
    bounds = [n * k // workers for k in range(workers + 1)]
    procs = [ctx.Process(target=count_slice,
                         args=(shared, bounds[k], bounds[k + 1], counts))
             for k in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return list(counts[:])
