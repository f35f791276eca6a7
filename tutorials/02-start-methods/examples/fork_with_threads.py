"""fork copies memory, not threads: a lock another thread holds stays locked.

A helper thread takes `lock` and keeps it while the main thread forks.
In the child only the forking thread exists, so nobody will ever release
that copy of the lock. We try with a timeout instead of hanging forever.
"""
import multiprocessing as mp
import threading

lock = threading.Lock()
holding = threading.Event()
may_release = threading.Event()


def holder():
    with lock:
        holding.set()
        may_release.wait(timeout=10)


def child():
    got_it = lock.acquire(timeout=0.5)
    print(f'child: acquired the lock? {got_it}', flush=True)


if __name__ == '__main__':
    t = threading.Thread(target=holder)
    t.start()
    holding.wait(timeout=10)          # the thread now holds the lock

    for method in ('fork', 'spawn'):
        print(f'--- {method}', flush=True)
        p = mp.get_context(method).Process(target=child)
        p.start()
        p.join()

    may_release.set()
    t.join()
    print(f'parent: acquired the lock? {lock.acquire(timeout=0.5)}', flush=True)
