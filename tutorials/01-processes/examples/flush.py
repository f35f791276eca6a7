"""Output a child has not flushed is lost if the child never flushes it."""
import os
import multiprocessing as mp


def forgets_to_flush():
    print('you will not see this line when stdout is a pipe or a file')
    os._exit(0)               # leaves at once: no flushing, no cleanup


def flushes():
    print('this line is flushed before os._exit', flush=True)
    os._exit(0)


def returns():
    print('a child that simply returns is flushed by multiprocessing')


if __name__ == '__main__':
    for target in (forgets_to_flush, flushes, returns):
        p = mp.Process(target=target)
        p.start()
        p.join()
    print('done')
