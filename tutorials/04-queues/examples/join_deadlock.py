"""Joining a process before getting what it put: the classic deadlock."""
import multiprocessing as mp


def produce(q):
    q.put('x' * 1_000_000)     # 1 MB: far more than a pipe holds (64 KiB)
    # put() returned at once; the process now ends, and on its way out it
    # waits for its feeder thread to write the whole megabyte to the pipe.


if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q,))
    p.start()

    p.join(timeout=1)          # without the timeout: waits forever
    print('after join(1): alive =', p.is_alive(), 'exitcode =', p.exitcode)

    item = q.get(timeout=10)   # the fix: get first ...
    p.join(timeout=10)         # ... then join
    print('got', len(item), 'characters')
    print('after get + join: alive =', p.is_alive(), 'exitcode =', p.exitcode)
