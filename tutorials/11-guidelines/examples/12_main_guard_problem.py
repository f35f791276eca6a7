# example: stderr-tail
"""Spawn rule: without the __main__ guard the child re-runs this code."""
import multiprocessing as mp


def f():
    print('never printed')


ctx = mp.get_context('spawn')
p = ctx.Process(target=f)
p.start()    # in the child, importing this module reaches here again
p.join(10)
print('exitcode:', p.exitcode)
