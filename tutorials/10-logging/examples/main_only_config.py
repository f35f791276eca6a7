"""Pitfall: logging configured only under the main guard.  A forked child
is a copy of the parent and keeps the configuration; a spawned child runs
the module again as '__mp_main__', skips the guarded block, and its debug
messages go nowhere.
"""
import logging
import multiprocessing as mp
import sys


def work(method):
    logging.debug('hello from a %s child', method)


if __name__ == '__main__':
    logging.basicConfig(level=logging.DEBUG, stream=sys.stdout,
                        format='%(processName)s: %(message)s')
    for method in ['fork', 'spawn']:
        p = mp.get_context(method).Process(target=work, args=(method,),
                                           name=method + '-child')
        p.start()
        p.join()
    logging.debug('done')
