"""A tour of the Pool methods: map, imap, imap_unordered, starmap, apply_async.

Only the main process prints, so the output is the same on every run.
"""
import multiprocessing as mp


def square(x):
    return x * x


def power(base, exponent):
    return base ** exponent


if __name__ == '__main__':
    with mp.Pool(processes=2) as pool:
        # map: the whole list in, the whole list out, in order.
        print('map:           ', pool.map(square, range(8)))

        # imap: an iterator of results, in order, produced lazily.
        print('imap:          ', list(pool.imap(square, range(8))))

        # imap_unordered: in the order the workers finish them.
        print('imap_unordered:', sorted(pool.imap_unordered(square, range(8))))

        # starmap: each item is a tuple of arguments.
        print('starmap:       ', pool.starmap(power, [(2, 3), (3, 2), (10, 0)]))

        # apply_async: one call, answered later through an AsyncResult.
        result = pool.apply_async(power, (2, 10))
        print('apply_async:   ', result.get(timeout=5))

        # apply: the same, but waits (it is apply_async(...).get()).
        print('apply:         ', pool.apply(square, (12,)))
