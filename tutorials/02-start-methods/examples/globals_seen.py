"""What a child sees of a global that the parent changed after import.

fork copies the parent's memory as it is at start(); spawn starts a fresh
interpreter that re-imports this file, so it only sees what the import sets.
"""
import multiprocessing as mp

SETTING = 'set at import'


def show(method):
    print(f'{method:>5} child sees: {SETTING}', flush=True)


if __name__ == '__main__':
    SETTING = 'changed by the parent after import'
    for method in ('fork', 'spawn'):
        ctx = mp.get_context(method)
        p = ctx.Process(target=show, args=(method,))
        p.start()
        p.join()
