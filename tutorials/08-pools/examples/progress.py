"""A progress bar over imap_unordered, with tqdm if it is installed.

Progress goes to stderr (tqdm's default); the result goes to stdout, so the
output compared by the tests is the same with or without tqdm.
"""
import multiprocessing as mp
import sys


def slow_square(x):
    total = 0
    for _ in range(20_000):     # a little CPU work per item
        total += 1
    return x * x


def progress(iterable, total):
    try:
        from tqdm import tqdm
    except ImportError:         # no tqdm: a plain counter on stderr
        def tqdm(iterable, total):
            for done, item in enumerate(iterable, 1):
                if done % 10 == 0 or done == total:
                    print(f'\r{done}/{total}', end='', file=sys.stderr)
                yield item
            print(file=sys.stderr)
    return tqdm(iterable, total=total)


if __name__ == '__main__':
    items = range(100)
    with mp.Pool(2) as pool:
        results = []
        # imap_unordered hands each result over as soon as it is done, so
        # the bar moves steadily; chunksize=4 saves messages.
        for value in progress(pool.imap_unordered(slow_square, items, chunksize=4),
                              total=len(items)):
            results.append(value)
    print('items:', len(results))
    print('sum of squares:', sum(results))
    print('same as serial:', sorted(results) == [x * x for x in items])
