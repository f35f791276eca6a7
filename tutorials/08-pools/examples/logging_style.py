"""The logging style of the Japanese tutorial: every line says which process
wrote it.  One worker, so the worker's name is always the same; the lines of
the two processes interleave differently from run to run, so the test
compares them sorted.
"""
# example: unordered
import logging
import multiprocessing as mp
import sys

logging.basicConfig(level=logging.DEBUG, stream=sys.stdout,
                    format='%(processName)s: %(message)s')


def double(i):
    logging.debug('start %d', i)
    logging.debug('end %d', i)
    return i * 2


if __name__ == '__main__':
    with mp.Pool(1) as pool:
        first = pool.apply_async(double, (100,))
        second = pool.apply_async(double, (200,))
        logging.debug('submitted two tasks')
        logging.debug('first: %d', first.get(timeout=5))
        logging.debug('second: %d', second.get(timeout=5))
        logging.debug('map: %s', pool.map(double, [1, 2]))
