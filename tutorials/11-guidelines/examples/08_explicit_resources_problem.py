"""Guideline: pass resources to the child explicitly (not via a global)."""
import multiprocessing as mp


def work():
    with lock:               # `lock` is a global of the parent's __main__
        print('child used the global lock')


if __name__ == '__main__':
    lock = mp.Lock()
    for method in ('fork', 'spawn'):
        p = mp.get_context(method).Process(target=work)
        p.start()
        p.join(5)
        print(method, 'exitcode:', p.exitcode)   # spawn: NameError -> 1
