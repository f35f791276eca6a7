"""The Monte Carlo estimate on a Pool of two worker processes."""
import multiprocessing as mp

from montecarlo import count_hits, estimate, tasks

if __name__ == '__main__':
    with mp.Pool(processes=2) as pool:
        hits = pool.map(count_hits, tasks())
        print('hits per task:', hits)
        print('pi is about', estimate(hits))

        one = pool.apply_async(count_hits, ((3, 20_000),))
        print('task 3 again:', one.get(timeout=60))
