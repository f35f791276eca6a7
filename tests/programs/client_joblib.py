"""joblib's multiprocessing backend, unmodified (for test_thirdparty).

Usage: client_joblib.py [fork|spawn]: runs ``Parallel(n_jobs=2,
backend="multiprocessing")`` over a few jobs (results in order, a task's
exception re-raised in the parent with its type, a second Parallel call
reusing nothing of the first) and prints what it saw.  The start method is
joblib's own setting, ``JOBLIB_START_METHOD``, read when joblib is imported.
"""
import os
import sys

if len(sys.argv) > 1:
    os.environ['JOBLIB_START_METHOD'] = sys.argv[1]

from joblib import Parallel, delayed  # noqa: E402


def square(i):
    return i * i


def fails(i):
    if i == 3:
        raise ValueError('task %d failed' % i)
    return i


if __name__ == '__main__':
    import multiprocessing

    print('module', multiprocessing.Process.__module__.split('.')[0])
    print('squares', Parallel(n_jobs=2, backend='multiprocessing')(
        delayed(square)(i) for i in range(10)))
    try:
        Parallel(n_jobs=2, backend='multiprocessing')(delayed(fails)(i) for i in range(6))
    except ValueError as e:
        print('raised', type(e).__name__, e)
    with Parallel(n_jobs=2, backend='multiprocessing') as parallel:
        print('first', parallel(delayed(square)(i) for i in range(3)))
        print('again', parallel(delayed(square)(i) for i in range(3, 6)))
    print('batched', sum(Parallel(n_jobs=2, backend='multiprocessing', batch_size=5)(
        delayed(square)(i) for i in range(100))))
