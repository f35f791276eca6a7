"""Hazard: fork while another thread holds a lock -- the copy stays locked."""
import threading
import warnings
import multiprocessing as mp

lock = threading.Lock()


def busy(holding, done):
    with lock:               # a thread of the parent holds the lock ...
        holding.set()
        done.wait(5)


def child():
    # ... the forked child has the lock, but not the thread that would release it
    print('child acquired the lock:', lock.acquire(timeout=0.5))


if __name__ == '__main__':
    warnings.simplefilter('ignore', DeprecationWarning)   # 3.12+ warns here
    holding, done = threading.Event(), threading.Event()
    t = threading.Thread(target=busy, args=(holding, done))
    t.start()
    holding.wait(5)
    p = mp.get_context('fork').Process(target=child)
    p.start()
    p.join(5)
    done.set()
    t.join(5)
    print('parent acquired the lock:', lock.acquire(timeout=0.5))
