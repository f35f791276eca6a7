"""What a child inherits of the library's logger, under fork and spawn.

The parent gives the library's logger its own handler (one that writes to
stdout) and the level DEBUG.  A forked child is a copy of the parent, so it
has both; a spawned child starts a fresh interpreter and gets only what the
start method sends it: the level, and log_to_stderr() if it was called.
"""
import logging
import multiprocessing as mp
import sys


def report():
    logger = mp.get_logger()
    print('%s: level=%s, handlers=%d' % (
        mp.current_process().name,
        logging.getLevelName(logger.getEffectiveLevel()),
        len(logger.handlers)), flush=True)


if __name__ == '__main__':
    logger = mp.get_logger()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter('    log: %(message)s'))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    report()
    for method in ['fork', 'spawn']:
        ctx = mp.get_context(method)
        p = ctx.Process(target=report, name=method + '-child')
        p.start()
        p.join()

    print('after log_to_stderr():', flush=True)
    mp.log_to_stderr()           # the spawned child will call it too
    p = mp.get_context('spawn').Process(target=report, name='spawn-child-2')
    p.start()
    p.join()
