"""Functions the chapter 04 tests run in child processes (importable by name)."""
import os
import time


def produce(q, name, count, close=True):
    """Put ``(name, 0)`` .. ``(name, count - 1)``; then flush (FeederQueue
    needs close() + join_thread(); multiprocessing.Queue does it at exit)."""
    for i in range(count):
        q.put((name, i))
    if close:
        q.close()
        q.join_thread()


def square(x):
    return x * x


def big(x):
    """A result much larger than a pipe holds (64 KiB)."""
    return str(x) * 50_000


def slow_pid(x):
    time.sleep(0.01)
    return os.getpid()


def negate(x):
    return -x
