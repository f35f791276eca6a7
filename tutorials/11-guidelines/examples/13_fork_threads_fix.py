"""Fix: spawn a fresh interpreter (or fork before starting threads)."""
import threading
import multiprocessing as mp

lock = threading.Lock()


def busy(holding, done):
    with lock:
        holding.set()
        done.wait(5)


def child():
    # a spawned child imports this module and gets a brand-new, free lock
    print('child acquired the lock:', lock.acquire(timeout=0.5))


if __name__ == '__main__':
    holding, done = threading.Event(), threading.Event()
    t = threading.Thread(target=busy, args=(holding, done))
    t.start()
    holding.wait(5)
    p = mp.get_context('spawn').Process(target=child)
    p.start()
    p.join(5)
    done.set()
    t.join(5)
    print('parent acquired the lock:', lock.acquire(timeout=0.5))
