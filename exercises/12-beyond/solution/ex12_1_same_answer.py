"""Exercise 12.1: the same answer on any engine.

Uses: random.Random (one generator per task, seeded by the task), map-like
callables: the builtin ``map``, ``multiprocessing.Pool.map``, and so on.

A result that depends on which process ran which task, or in which order the
tasks ran, is a result you cannot check.  Here each task carries its own
seed, so ``estimate_pi`` gives the very same float whatever runs the tasks.
"""
import random


def count_inside(task):
    """``task`` is a pair ``(seed, n)``.  With ``rng = random.Random(seed)``
    draw ``n`` points, each as ``x = rng.random()`` then ``y = rng.random()``,
    and return how many of them have ``x * x + y * y <= 1`` (an int).  Use
    no other source of randomness (not the ``random`` module's functions)."""
    seed, n = task
    rng = random.Random(seed)
    inside = 0
    for _ in range(n):
        x = rng.random()
        y = rng.random()
        if x * x + y * y <= 1:
            inside += 1
    return inside


def estimate_pi(tasks, map_func=map):
    """``tasks`` is a list of ``(seed, n)`` pairs.  Call ``map_func`` once, as
    ``map_func(count_inside, tasks)`` (it may return a list or an iterator),
    and return ``4 * inside / total`` where ``inside`` is the sum of the
    counts and ``total`` the sum of the ``n``.  No task at all, or no point
    at all: raise ``ValueError``."""
    tasks = list(tasks)
    total = sum(n for _, n in tasks)
    if not tasks or total == 0:
        raise ValueError('no points to estimate pi from')
    # Integers add up the same in any order: the float is made only once.
    inside = sum(map_func(count_inside, tasks))
    return 4 * inside / total
