"""Under spawn, the child imports the main script again, as '__mp_main__'.

Top-level code runs once more in every spawned child; only the block behind
the guard does not. Run it as a script or as a module (python -m main_name).
"""
import multiprocessing as mp

print(f'top level runs with __name__ = {__name__!r}', flush=True)


def where():
    print(f'target runs in a module named {__name__!r}', flush=True)


if __name__ == '__main__':
    for method in ('fork', 'spawn'):
        print(f'--- {method}', flush=True)
        p = mp.get_context(method).Process(target=where)
        p.start()
        p.join()
