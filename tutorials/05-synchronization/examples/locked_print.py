"""Ten processes print through one Lock, so no two lines get mixed up.

The idea of the official documentation's first Lock example: the lock does
not make the output ordered (the processes still race for it), it makes
each *line* whole.
"""
# example: unordered
import multiprocessing as mp


def report(lock, number):
    with lock:                      # acquire() ... release(), even on error
        print('process', number, 'says hello', flush=True)


if __name__ == '__main__':
    lock = mp.Lock()
    workers = [mp.Process(target=report, args=(lock, n)) for n in range(10)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
