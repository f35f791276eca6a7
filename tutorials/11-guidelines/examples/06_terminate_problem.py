"""Guideline: don't terminate a process that holds a shared resource."""
import multiprocessing as mp


def hold(lock, holding, stop):
    with lock:
        holding.set()
        stop.wait(10)        # would release the lock when asked to stop


if __name__ == '__main__':
    lock, holding, stop = mp.Lock(), mp.Event(), mp.Event()
    p = mp.Process(target=hold, args=(lock, holding, stop))
    p.start()
    holding.wait(5)
    p.terminate()            # SIGTERM: no `with` exit, no release
    p.join(5)
    print('child exitcode:', p.exitcode)
    print('lock acquired afterwards:', lock.acquire(timeout=0.5))
