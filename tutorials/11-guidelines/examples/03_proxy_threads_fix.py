"""Fix: hold a lock around the whole read-modify-write."""
import threading
import multiprocessing as mp


def slow_increment(counter, lock, have_read):
    with lock:
        value = counter.value
        have_read.set()            # the other thread now waits for the lock
        counter.value = value + 1


def fast_increment(counter, lock, have_read):
    have_read.wait(5)
    with lock:
        counter.value += 1


if __name__ == '__main__':
    with mp.Manager() as manager:
        counter = manager.Value('i', 0)
        lock = manager.Lock()      # a manager lock works across processes too
        have_read = threading.Event()
        threads = [threading.Thread(target=f, args=(counter, lock, have_read))
                   for f in (slow_increment, fast_increment)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        print('two increments, counter.value =', counter.value)
