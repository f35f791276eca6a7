"""Fix: ask the child to stop; it leaves its `with` block and releases."""
import multiprocessing as mp


def hold(lock, holding, stop):
    with lock:
        holding.set()
        stop.wait(10)


if __name__ == '__main__':
    lock, holding, stop = mp.Lock(), mp.Event(), mp.Event()
    p = mp.Process(target=hold, args=(lock, holding, stop))
    p.start()
    holding.wait(5)
    stop.set()               # a polite request instead of SIGTERM
    p.join(5)
    print('child exitcode:', p.exitcode)
    print('lock acquired afterwards:', lock.acquire(timeout=0.5))
