# example: stderr-tail
"""A program WITHOUT the `if __name__ == '__main__':` guard (do not copy).

With spawn, the child re-imports this file to find `greet`; the import
reaches `p.start()` again, and the child refuses to start a grandchild
while it is still bootstrapping: RuntimeError, exit code 1.
"""
import multiprocessing as mp


def greet():
    print('hello from the child', flush=True)


print(f'running the top level as {__name__}', flush=True)
ctx = mp.get_context('spawn')
p = ctx.Process(target=greet)
p.start()
p.join()
print(f'exit code: {p.exitcode}', flush=True)
