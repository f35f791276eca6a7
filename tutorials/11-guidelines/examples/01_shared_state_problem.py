"""Guideline: avoid shared state.  A global changed in children stays 0."""
import multiprocessing as mp

counter = 0


def work(n):
    global counter
    counter += n          # changes the child's own copy only
    print(f'child added {n}: its counter is {counter}')


if __name__ == '__main__':
    for n in (1, 2, 3):
        p = mp.Process(target=work, args=(n,))
        p.start()
        p.join()
    print('parent counter:', counter)
