"""A program that forgets ``if __name__ == '__main__':`` and uses spawn.

The spawned child re-imports this file, reaches ``p.start()`` again while
it is still bootstrapping, and must refuse with a RuntimeError.  The start
method is ``sys.argv[1]`` (default spawn): forkserver has the same rule.
"""
import importlib
import os
import sys

mp = importlib.import_module(os.environ.get('TEST_MP_IMPL', 'multiprocessing'))


def hello():
    print('hello from the child', flush=True)


print('top of module:', __name__, flush=True)
ctx = mp.get_context(sys.argv[1] if len(sys.argv) > 1 else 'spawn')
p = ctx.Process(target=hello)
p.start()
p.join(30)
print('exitcode', p.exitcode, flush=True)
