"""An unmodified concurrent.futures program (for tests/test_futures.py).

It knows nothing of teachmp: ``python futures_prog.py`` runs it on the
stdlib, ``python -m teachmp run futures_prog.py`` on teachmp, and the two
must print the same, apart from the one line naming the engine.
"""
import concurrent.futures as cf
import multiprocessing
import os
import re
import sys
import traceback


def square(x):
    return x * x


def fail(x):
    raise ValueError('no good: %r' % (x,))


def setup(greeting):
    global GREETING
    GREETING = greeting


def greet(name):
    return '%s, %s' % (GREETING, name)


def die(_):
    os.kill(os.getpid(), 9)


def pid(_):
    return os.getpid()


def tidy(text):
    return re.sub(r'0x[0-9a-f]+', '0xADDR', text)


def run(method):
    ctx = multiprocessing.get_context(method)
    print('==', method)
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        print('submit', ex.submit(square, 7).result(timeout=30))
        print('map', list(ex.map(square, range(12), chunksize=5, timeout=30)))
        future = ex.submit(fail, 'x')
        # wait first: result() raises from another line of _base.py when it
        # had to wait, and the traceback below must not depend on timing
        cf.wait([future], timeout=30)
        try:
            future.result(timeout=30)
        except ValueError as exc:
            print('cause', type(exc.__cause__).__name__)
            print(''.join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        future = ex.submit(square, lambda: 0)
        exc = future.exception(timeout=30)
        print('unpicklable', type(exc).__name__, tidy(str(exc)))
        print('still works', ex.submit(square, 8).result(timeout=30))
    with cf.ProcessPoolExecutor(2, mp_context=ctx, initializer=setup,
                                initargs=('hello',)) as ex:
        print('initializer', list(ex.map(greet, ['a', 'b', 'c'])))
    if sys.version_info >= (3, 11) and method != 'fork':
        with cf.ProcessPoolExecutor(1, mp_context=ctx, max_tasks_per_child=2) as ex:
            # one call at a time: map() here hangs on the stdlib (gh-115634)
            pids = [ex.submit(pid, i).result(timeout=30) for i in range(6)]
            print('max_tasks_per_child', sorted(pids.count(p) for p in set(pids)))
    with cf.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        try:
            ex.submit(die, 0).result(timeout=30)
        except cf.process.BrokenProcessPool as exc:
            print('killed', type(exc).__name__, exc)


if __name__ == '__main__':
    with cf.ProcessPoolExecutor(max_workers=1) as ex:
        ex.submit(square, 1).result(timeout=30)
        print('engine', type(next(iter(ex._processes.values()))).__module__.split('.')[0])
    for method in sys.argv[1:] or ['fork', 'spawn', 'forkserver']:
        run(method)
    sys.stdout.flush()
