"""Side-by-side benchmarks: teachmp vs the stdlib ``multiprocessing`` vs the OS.

Every number in the table is the median of several samples, and every sample
is taken in a fresh interpreter (``python -m benchmarks.one NAME IMPL``), so
one implementation's warm caches, imported modules or leftover children can
never flatter or penalise another.  Three implementations are measured:

``teachmp``
    this project;
``stdlib``
    the interpreter's own :mod:`multiprocessing`;
``floor``
    the same work done with raw system calls (``os.fork``, ``os.posix_spawn``,
    ``socket.socketpair``, ``os.pipe``) and no pickling: the cost that no
    Python library on top of these primitives can go below.

Run ``python -m benchmarks`` (what ``make bench`` does) for the full suite,
which rewrites ``benchmarks/results.md``; ``--quick`` is a smoke run and
``--only NAME`` picks benchmarks.  The cases live in :mod:`benchmarks.cases`.
"""
