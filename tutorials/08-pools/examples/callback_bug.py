"""An exception raised inside a callback.

The callback runs in the pool's result-handler thread.  In the stdlib that
thread dies: this result and every later one never arrive, and leaving the
with block fails with an AssertionError.  teachmp prints the callback's
traceback and carries on.
"""
# example: skip "the stdlib and teachmp differ on purpose (both outputs are in the chapter)"
import multiprocessing as mp


def square(x):
    return x * x


def buggy_callback(value):
    raise RuntimeError('bug in the callback')


if __name__ == '__main__':
    with mp.Pool(2) as pool:
        first = pool.apply_async(square, (3,), callback=buggy_callback)
        second = pool.apply_async(square, (4,))
        for name, result in (('first', first), ('second', second)):
            try:
                print(name, result.get(timeout=1))
            except mp.TimeoutError:
                print(name, 'TimeoutError: no result')
