"""Helpers shared by every benchmark module: pinning, children, timing.

Kept apart from :mod:`benchmarks.cases` (which gathers the registry from
``cases_sync``, ``cases_queue`` and ``cases_manager``) so that any of those
modules can be imported first without an import cycle.
"""

import os
import resource
import time

MiB = 1 << 20
TIMEOUT = 60.0          # seconds: every join / wait is bounded by this


# -- where the processes run ---------------------------------------------------
# On a two-core machine the same benchmark is two different benchmarks
# depending on whether the scheduler puts parent and child on one core (cheap
# wake-ups, shared cache) or on two (cross-core wake-ups and cache traffic):
# left alone it flips between them from sample to sample and the spread
# swamps the differences between implementations.  So the driver pins every
# sample (BENCH_PLACEMENT): 'same' -- parent and children on one CPU; 'split'
# -- the parent on one CPU, the children of the pipe benchmarks on another;
# 'none' -- wherever the scheduler likes.

def pin_parent():
    """Called by benchmarks.one before measuring: pin this process."""
    placement = os.environ.get('BENCH_PLACEMENT', 'none')
    if placement == 'none' or not hasattr(os, 'sched_setaffinity'):
        return
    cpus = sorted(os.sched_getaffinity(0))
    first = int(os.environ.get('BENCH_CPU', '0')) % len(cpus)
    os.environ['BENCH_CHILD_CPU'] = str(cpus[(first + 1) % len(cpus)])
    os.sched_setaffinity(0, {cpus[first]})


def _pin_child():
    """Called first thing in the child of a pipe benchmark."""
    if os.environ.get('BENCH_PLACEMENT') == 'split':
        os.sched_setaffinity(0, {int(os.environ['BENCH_CHILD_CPU'])})


def _check_exitcode(p):
    if p.exitcode != 0:
        raise RuntimeError(f'child {p!r} ended with exitcode {p.exitcode}')


def _wait_child(pid):
    """waitpid with a deadline (a stuck child must not hang the suite)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        got, status = os.waitpid(pid, os.WNOHANG)
        if got:
            code = os.waitstatus_to_exitcode(status)
            if code != 0:
                raise RuntimeError(f'child {pid} ended with exitcode {code}')
            return
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise TimeoutError(f'child {pid} did not exit in {TIMEOUT}s')
        time.sleep(0.0005)


def _fork_child(body):
    """Fork; run body() in the child and leave with os._exit, never return."""
    pid = os.fork()
    if pid == 0:                                   # pragma: no cover (child)
        code = 1
        try:
            body()
            code = 0
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


# CPU time (user + system, of the parent and of the children it reaped)
# hardly depends on what else the machine is doing, where the wall time on a
# busy machine includes waiting for a core: the start benchmarks report both.

def _cpu_seconds():
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed_loop(once, count):
    once()                                         # warm-up, untimed
    c0, t0 = _cpu_seconds(), time.perf_counter()
    for _ in range(count):
        once()
    t1, c1 = time.perf_counter(), _cpu_seconds()
    return (t1 - t0) / count * 1e3, (c1 - c0) / count * 1e3
