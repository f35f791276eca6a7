"""The same job with a Pool and with a ProcessPoolExecutor.

Count the primes below 60,000 in six slices, on two worker processes, both
ways; then one slice that fails, both ways; then what the executor is made
of.
"""
import concurrent.futures as cf
import multiprocessing as mp


def count_primes(bounds):
    lo, hi = bounds
    if lo < 0:
        raise ValueError('a slice must start at 0 or above, not %d' % lo)
    return sum(all(n % d for d in range(2, int(n ** 0.5) + 1))
               for n in range(max(lo, 2), hi))


SLICES = [(i, i + 10_000) for i in range(0, 60_000, 10_000)]

if __name__ == '__main__':
    ctx = mp.get_context('spawn')

    # 1. Pool: map sends the slices in chunks, returns the list at once.
    with ctx.Pool(processes=2) as pool:
        print('Pool.map:    ', pool.map(count_primes, SLICES, chunksize=2))

    # 2. Executor: map submits every slice, returns a lazy iterator.
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        print('executor.map:', list(ex.map(count_primes, SLICES, chunksize=2)))

    # 3. A failing slice: Pool.map raises from map() itself, the executor
    #    when the iterator reaches that result (the others are ready).
    bad = SLICES[:2] + [(-5, 0)]
    with ctx.Pool(processes=2) as pool:
        try:
            pool.map(count_primes, bad)
        except ValueError as e:
            print('Pool:         ValueError:', e)
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        results = ex.map(count_primes, bad)
        print('executor:    ', next(results), next(results), end=' ')
        try:
            next(results)
        except ValueError as e:
            print('then ValueError:', e)
            print('              its cause:', type(e.__cause__).__name__)

        # 4. What the executor built on multiprocessing (names as in
        #    CPython's concurrent/futures/process.py).
        print('call queue:  ', type(ex._call_queue).__bases__[0].__name__,
              'of', ex._call_queue._maxsize, 'calls (max_workers + 1)')
        print('result queue:', type(ex._result_queue).__name__)
        print('wakeup pipe: ', type(ex._executor_manager_thread_wakeup).__name__)
        print('sentinels:   ', len([p.sentinel for p in ex._processes.values()]),
              'workers, one sentinel each')
        print('one thread:  ', type(ex._executor_manager_thread).__name__)
