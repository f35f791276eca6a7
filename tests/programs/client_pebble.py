"""pebble's ProcessPool, unmodified (for test_thirdparty).

Usage: client_pebble.py [fork|spawn]: a pool of two workers (pebble starts
and watches them itself) runs a plain task, a task that raises, a task that
outlives its timeout (pebble kills its worker with SIGTERM and starts
another), a running task that is cancelled (same), a ``map`` with a
chunksize, and then the pool is closed and joined.  Prints what each gave,
and how the two stopped workers ended (the ones pebble stops when the pool
closes may not have installed their SIGTERM handler yet: not printed).
"""
import multiprocessing
import sys
import time
from concurrent.futures import CancelledError, TimeoutError

import pebble.pool.process
from pebble import ProcessPool

# How each stopped worker ended.  pebble stops a worker with SIGTERM; the
# worker's handler runs multiprocessing.util._exit_function() and then
# os._exit(15), so the exit code is 15.  Had the handler failed (the name
# missing), pebble would wait 3 s and SIGKILL it: exit code -9.
stopped = []
_stop_process = pebble.pool.process.stop_process


def recording_stop_process(process):
    _stop_process(process)
    stopped.append(process.exitcode)


pebble.pool.process.stop_process = recording_stop_process


def square(x):
    return x * x


def fails(x):
    raise KeyError(x)


def sleeper(seconds):
    time.sleep(seconds)
    return 'woke up'


def wait_stopped(n):
    """pebble stops a worker from its own thread: wait until it has."""
    deadline = time.monotonic() + 20
    while len(stopped) < n and time.monotonic() < deadline:
        time.sleep(0.01)


if __name__ == '__main__':
    method = sys.argv[1] if len(sys.argv) > 1 else 'fork'
    context = multiprocessing.get_context(method)
    print('module', multiprocessing.Process.__module__.split('.')[0])
    with ProcessPool(max_workers=2, context=context) as pool:
        print('result', pool.schedule(square, args=(7,)).result(timeout=30))
        try:
            pool.schedule(fails, args=('k',)).result(timeout=30)
        except KeyError as e:
            print('raised', type(e).__name__, e, hasattr(e, 'traceback'))
        late = pool.schedule(sleeper, args=(30,), timeout=0.5)
        try:
            late.result(timeout=30)
        except TimeoutError as e:
            print('timeout', type(e).__name__, e.args)
        wait_stopped(1)
        print('timed-out worker ended', stopped[:1])
        running = pool.schedule(sleeper, args=(30,))
        while not running.running():
            time.sleep(0.01)
        time.sleep(0.2)         # let the worker pick it up
        print('cancel', running.cancel())
        try:
            running.result(timeout=30)
        except CancelledError:
            print('cancelled', running.cancelled())
        wait_stopped(2)
        print('cancelled worker ended', stopped[1:2])
        print('after', pool.schedule(square, args=(8,)).result(timeout=30))
        print('map', list(pool.map(square, range(10), chunksize=3).result()))
        pool.close()
        pool.join(timeout=30)
