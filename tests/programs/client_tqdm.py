"""tqdm's process_map, unmodified (for test_thirdparty).

Usage: client_tqdm.py [map|unpicklable]: ``map`` prints the results of
``process_map(f, range(20), max_workers=2, chunksize=2)`` (the progress bar
goes to stderr); ``unpicklable`` gives process_map a lambda, which cannot be
pickled, and prints the exception that comes back -- it must raise, not hang.
"""
import sys

from tqdm.contrib.concurrent import process_map


def plus_one(x):
    return x + 1


if __name__ == '__main__':
    import multiprocessing

    print('module', multiprocessing.Process.__module__.split('.')[0])
    what = sys.argv[1] if len(sys.argv) > 1 else 'map'
    if what == 'map':
        print('results', process_map(plus_one, range(20), max_workers=2, chunksize=2))
        print('two iterables', process_map(pow, range(6), [2] * 6, max_workers=2))
    else:
        try:
            process_map(lambda x: x, range(4), max_workers=2)
        except Exception as e:
            # PicklingError on one version, AttributeError on another: the
            # point is that something is raised; print the family.
            print('raised', type(e).__name__)
        else:
            print('no exception')
