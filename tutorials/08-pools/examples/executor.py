"""concurrent.futures.ProcessPoolExecutor: the high-level interface.

It is built on multiprocessing (its workers are multiprocessing processes,
mp_context chooses the start method), but speaks in Futures.
"""
import concurrent.futures as cf
import multiprocessing as mp
import os


def square(x):
    return x * x


def die():
    os._exit(1)


if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        # submit: one call, one Future.
        future = ex.submit(square, 7)
        print('submit:      ', future.result(timeout=10))

        # map: like Pool.imap, results in order; chunksize defaults to 1.
        print('map:         ', list(ex.map(square, range(6), chunksize=2)))

        # as_completed: Futures in the order they finish.
        futures = {ex.submit(square, x): x for x in range(4)}
        done = sorted((futures[f], f.result()) for f in cf.as_completed(futures, timeout=10))
        print('as_completed:', done)

        # exceptions come back through the Future.
        bad = ex.submit(divmod, 1, 0)
        print('exception:   ', repr(bad.exception(timeout=10)))

    # A worker that dies breaks the whole executor, at once.
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        try:
            ex.submit(die).result(timeout=10)
        except cf.process.BrokenProcessPool as e:
            print('broken:      ', type(e).__name__)
        try:
            ex.submit(square, 2)
        except cf.process.BrokenProcessPool:
            print('after that:   every submit raises BrokenProcessPool')
