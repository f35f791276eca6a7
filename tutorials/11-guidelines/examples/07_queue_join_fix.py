"""Fix: get everything the child sends, then join."""
import multiprocessing as mp


def f(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    q = mp.Queue()
    p = mp.Process(target=f, args=(q,))
    p.start()
    obj = q.get(timeout=5)   # the right order: get first ...
    p.join(5)                # ... join afterwards
    print('got', len(obj), 'bytes; still alive:', p.is_alive(),
          'exitcode', p.exitcode)
