"""A worker dies in the middle of a task.

The stdlib's Pool never answers for that task (gh-66587): without the
timeout, get() would wait forever.  teachmp's Pool fails the result with
WorkerLostError within a second.  Either way the pool replaces the worker
and goes on serving other tasks.  The printed lines are the same on both.
"""
import multiprocessing as mp
import os


def die(code):
    os._exit(code)              # the worker process vanishes mid-task


def square(x):
    return x * x


if __name__ == '__main__':
    with mp.Pool(2) as pool:
        doomed = pool.apply_async(die, (3,))
        try:
            doomed.get(timeout=2)
            lost = False
        except mp.TimeoutError:     # the stdlib: no answer, ever
            lost = True
        except Exception:           # teachmp: WorkerLostError
            lost = True
        print('result lost or failed:', lost)
        print('the pool still works:', pool.map(square, range(5), chunksize=1))
