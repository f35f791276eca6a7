"""Log to stderr at INFO and run a worker and a daemon (for test_logging).

Usage: log_lifecycle.py METHOD [LEVEL].  TEST_MP_IMPL picks the module.
"""
import importlib
import logging
import os
import sys
import time

mp = importlib.import_module(os.environ.get('TEST_MP_IMPL', 'multiprocessing'))


def worker(conn):
    mp.get_logger().info('hello from %s', mp.current_process().name)
    conn.send('ready')
    conn.close()


def daemon_body(conn):
    conn.send('ready')
    conn.close()
    while True:
        time.sleep(3600)


if __name__ == '__main__':
    method = sys.argv[1]
    level = int(sys.argv[2]) if len(sys.argv) > 2 else logging.INFO
    logger = mp.log_to_stderr(level)
    print('same logger:', logger is mp.get_logger(), flush=True)
    print('level:', logger.level, 'propagate:', bool(logger.propagate), flush=True)
    print(
        'handlers:',
        [(type(h).__name__, h.formatter._fmt, h.stream is sys.stderr) for h in logger.handlers],
        flush=True,
    )
    logger.log(mp.SUBWARNING, 'a subwarning')
    logger.log(mp.SUBDEBUG, 'a subdebug')
    logger.debug('a debug')
    ctx = mp.get_context(method)
    r, w = ctx.Pipe(duplex=False)
    p = ctx.Process(target=worker, args=(w,), name='worker')
    p.start()
    print('worker says', r.recv() if r.poll(30) else None, flush=True)
    p.join(30)
    d = ctx.Process(target=daemon_body, args=(w,), name='daemon', daemon=True)
    d.start()
    w.close()
    print('daemon says', r.recv() if r.poll(30) else None, flush=True)
    r.close()
    print('main done', flush=True)
