"""Guideline: inherit, don't pickle.  A Lock refuses to travel by message."""
import multiprocessing as mp

if __name__ == '__main__':
    lock = mp.Lock()
    a, b = mp.Pipe()
    try:
        a.send(lock)
    except RuntimeError as exc:
        print('RuntimeError:', 'inheritance' in str(exc))
    print('anything arrived:', b.poll(0.2))
