"""Output buffered in the parent before a fork must not be written twice.

Usage: flush_fork.py METHOD.  TEST_MP_IMPL picks the module.  stdout is a
pipe here, so ``print`` without ``flush`` stays in the parent's buffer.
"""
import importlib
import os
import sys

mp = importlib.import_module(os.environ.get('TEST_MP_IMPL', 'multiprocessing'))


def child():
    # not flushed either: the child must flush it before it exits
    print('child-unflushed', end='|')
    sys.stderr.write('child-err|')


if __name__ == '__main__':
    ctx = mp.get_context(sys.argv[1])
    print('parent-before', end='|')
    sys.stderr.write('parent-err-before|')
    p = ctx.Process(target=child)
    p.start()
    p.join(30)
    print('parent-after exitcode', p.exitcode)
