"""How chunksize changes the time of Pool.map, for tiny tasks and uneven ones.

Run it on the stdlib and on teachmp:
    python chunksize_timing.py
    python -m teachmp run chunksize_timing.py
"""
# example: skip "prints timings, which differ from machine to machine"
import multiprocessing as mp
import time

PROCESSES = 2


def tiny(x):
    return x + 1


def uneven(x):
    # the cost grows with x: the second half of the items is where the work is
    n = x * 1_000
    total = 0
    for i in range(n):
        total += i
    return total


def default_chunksize(n, processes):
    chunksize, extra = divmod(n, processes * 4)
    return chunksize + 1 if extra else chunksize


def best_of(pool, func, items, chunksize, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        pool.map(func, items, chunksize)
        times.append(time.perf_counter() - t0)
    return min(times)


if __name__ == '__main__':
    with mp.Pool(PROCESSES) as pool:
        pool.map(tiny, range(100))          # warm up: workers started
        print(f'{PROCESSES} workers')
        items = range(20_000)
        d = default_chunksize(len(items), PROCESSES)
        print(f'20,000 tiny tasks (default chunksize = {d}):')
        for cs in (1, 10, 100, d, len(items) // PROCESSES):
            print(f'  chunksize {cs:>6}: {best_of(pool, tiny, items, cs) * 1000:8.1f} ms')
        items = range(200)
        d = default_chunksize(len(items), PROCESSES)
        print(f'200 uneven tasks (default chunksize = {d}):')
        for cs in (1, d, len(items) // PROCESSES):
            print(f'  chunksize {cs:>6}: {best_of(pool, uneven, items, cs) * 1000:8.1f} ms')
        t0 = time.perf_counter()
        [uneven(x) for x in items]
        print(f'  serial:           {(time.perf_counter() - t0) * 1000:8.1f} ms')
