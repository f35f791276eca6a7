"""At exit, a parent terminates its daemonic children and joins the others.

Usage: exit_children.py METHOD FIFO.  The module is multiprocessing unless
TEST_MP_IMPL names another one (teachmp).  The non-daemonic child waits for
a line on FIFO (written by the test) so the test can see that the parent
does not exit before it.
"""
import importlib
import os
import sys
import time

mp = importlib.import_module(os.environ.get('TEST_MP_IMPL', 'multiprocessing'))


def daemon_body():
    while True:
        time.sleep(3600)


def waiter(fifo):
    with open(fifo) as f:
        line = f.readline().strip()
    print('child got', line, flush=True)


if __name__ == '__main__':
    ctx = mp.get_context(sys.argv[1])
    d = ctx.Process(target=daemon_body, daemon=True)
    d.start()
    print('daemon', d.pid, flush=True)
    w = ctx.Process(target=waiter, args=(sys.argv[2],))
    w.start()
    print('main done', flush=True)
