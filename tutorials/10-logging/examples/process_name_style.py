"""The style of the Japanese tutorial: logging.basicConfig with a format
that starts every line with %(processName)s, so you can see who said what.
"""
import logging
import multiprocessing as mp
import sys

logging.basicConfig(level=logging.DEBUG, stream=sys.stdout,
                    format='%(processName)s: %(message)s')


def worker(i):
    logging.debug('start')
    logging.debug(i)
    logging.debug('end')


if __name__ == '__main__':
    p1 = mp.Process(target=worker, args=(100,))
    p2 = mp.Process(target=worker, args=(200,), name='second')
    p1.start()
    p1.join()
    p2.start()
    p2.join()
    logging.debug('exitcodes %s %s', p1.exitcode, p2.exitcode)
