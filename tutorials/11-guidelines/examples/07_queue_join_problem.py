"""Guideline: joining processes that use queues -- the classic deadlock."""
import multiprocessing as mp


def f(q):
    q.put('X' * 1000000)     # far more than a pipe holds (64 KiB on Linux)


if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=f, args=(q,))
    p.start()
    p.join(1)                # the documented mistake, with a timeout
    print('still alive after join(1):', p.is_alive())
    obj = q.get(timeout=5)   # draining the pipe lets the child finish
    p.join(5)
    print('after get: got', len(obj), 'bytes, exitcode', p.exitcode)
