# example: skip "a module of functions, imported by the other examples"
"""The workload of this chapter: a Monte Carlo estimate of pi.

A task is ``(seed, n)``: throw ``n`` random points into the unit square and
count how many land inside the quarter circle.  Each task has its own
``random.Random(seed)``, so a task gives the same count wherever it runs --
in a Pool worker, on a Dask worker, on another machine.  That is what lets
us compare engines result for result.
"""
import random

SEEDS = range(8)          # eight tasks...
POINTS = 20_000           # ...of 20,000 points each


def tasks():
    return [(seed, POINTS) for seed in SEEDS]


def count_hits(task):
    seed, n = task
    rng = random.Random(seed)          # private generator: no shared state
    hits = 0
    for _ in range(n):
        x, y = rng.random(), rng.random()
        if x * x + y * y <= 1.0:
            hits += 1
    return hits


def estimate(hits, n_tasks=len(SEEDS), n=POINTS):
    return 4 * sum(hits) / (n_tasks * n)
