"""Pitfall: the library's logger has no level of its own (NOTSET), so it
takes the root logger's.  basicConfig(level=DEBUG) for your own messages
then turns on every debug line of the library once it has a handler.
"""
import logging
import multiprocessing as mp
import os
import sys


def greet():
    print('hello from the child', flush=True)


if __name__ == '__main__':
    sys.stdout.flush()
    os.dup2(sys.stdout.fileno(), sys.stderr.fileno())   # one stream, in order
    logging.basicConfig(level=logging.DEBUG, format='app: %(message)s')
    logger = mp.log_to_stderr()          # no level given
    print('own level:', logger.level, '- effective:', logger.getEffectiveLevel(),
          flush=True)
    logging.info('starting one child')
    p = mp.Process(target=greet)
    p.start()
    p.join()
