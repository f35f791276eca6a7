"""The smallest useful multiprocessing program: start one child, wait for it."""
import os
import multiprocessing as mp


def greet(greeting, name, punctuation='!'):
    me = mp.current_process()
    print(f'{greeting}, {name}{punctuation} (from {me.name}, pid {os.getpid()})')


if __name__ == '__main__':
    p = mp.Process(target=greet, args=('Hello', 'world'),
                   kwargs={'punctuation': '!!'})
    print('before start: alive =', p.is_alive(), ' exitcode =', p.exitcode)
    p.start()                 # fork (or spawn) a child that will call greet(...)
    p.join()                  # wait for it to finish
    print('after join:   alive =', p.is_alive(), ' exitcode =', p.exitcode)
    print('parent is', mp.current_process().name, 'pid', os.getpid())
