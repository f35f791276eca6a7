"""`v.value += 1` is a read and then a write: without the lock, updates vanish."""
import multiprocessing as mp

WORKERS = 4
TIMES = 20_000


def racy(counter):
    for _ in range(TIMES):
        counter.value += 1              # lock taken for the read, then for the write


def careful(counter):
    for _ in range(TIMES):
        with counter.get_lock():        # one lock held around read + add + write
            counter.value += 1


def run(worker):
    counter = mp.Value('i', 0)          # lock=True: the default
    procs = [mp.Process(target=worker, args=(counter,)) for _ in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value


if __name__ == '__main__':
    expected = WORKERS * TIMES
    total = run(racy)
    # How many updates are lost depends on timing: print only what does not.
    print('racy:    never more than expected?', total <= expected)
    total = run(careful)
    print('careful: exactly', expected, '?', total == expected)
