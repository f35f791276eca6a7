# example: skip "the unlocked total differs from run to run"
"""d['x'] += 1 through a proxy is two calls, and other processes run between them."""
import multiprocessing as mp

WORKERS, TIMES = 4, 500


def unlocked(d):
    for _ in range(TIMES):
        d['x'] += 1                 # d.__getitem__('x'), then d.__setitem__('x', ...)


def locked(d, lock):
    for _ in range(TIMES):
        with lock:                  # a manager Lock: held across both calls
            d['x'] += 1


def run(target, *args):
    procs = [mp.Process(target=target, args=args) for _ in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()


if __name__ == '__main__':
    with mp.Manager() as manager:
        d = manager.dict(x=0)
        run(unlocked, d)
        print('unlocked:', d['x'], 'of', WORKERS * TIMES)
        d['x'] = 0
        run(locked, d, manager.Lock())
        print('locked:  ', d['x'], 'of', WORKERS * TIMES)
