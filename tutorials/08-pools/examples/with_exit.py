"""Leaving `with Pool()` terminates the pool: results still pending are lost.

The stdlib leaves them pending forever (get() without a timeout would hang);
teachmp fails them with ValueError.  Either way: get them inside the block,
or close() and join() before leaving it.
"""
import multiprocessing as mp


def square(x):
    return x * x


if __name__ == '__main__':
    with mp.Pool(2) as pool:
        late = pool.map_async(square, range(100_000), chunksize=10)
    # __exit__ called terminate(): the workers were killed mid-way.
    try:
        late.get(timeout=1)
        print('wrong: got a result')
    except (mp.TimeoutError, ValueError):
        print('after the with block: no result')

    with mp.Pool(2) as pool:
        result = pool.map_async(square, range(100_000), chunksize=1000)
        pool.close()        # no more work...
        pool.join()         # ...and wait for what was submitted
    print('close() + join() inside the block:', len(result.get(timeout=1)), 'results')
