"""Guideline: proxies and threads.  `proxy.value += 1` is read, then write."""
import threading
import multiprocessing as mp


def slow_increment(counter, have_read, written):
    value = counter.value          # 1. read (0)
    have_read.set()
    written.wait(5)                # the other thread runs its += here
    counter.value = value + 1      # 3. write back 0 + 1: its update is lost


def fast_increment(counter, have_read, written):
    have_read.wait(5)
    counter.value += 1             # 2. read 0, write 1
    written.set()


if __name__ == '__main__':
    with mp.Manager() as manager:
        counter = manager.Value('i', 0)
        have_read, written = threading.Event(), threading.Event()
        threads = [threading.Thread(target=f, args=(counter, have_read, written))
                   for f in (slow_increment, fast_increment)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        print('two increments, counter.value =', counter.value)
