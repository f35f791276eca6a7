"""Every way a child can end, and the exit code the parent sees."""
# example: stderr-tail
import sys
import time
import multiprocessing as mp


def returns_normally():
    pass


def calls_sys_exit():
    sys.exit(3)


def sleeps():
    time.sleep(30)            # the parent stops us long before this ends


def raises():
    1 / 0


if __name__ == '__main__':
    for target in (returns_normally, calls_sys_exit):
        p = mp.Process(target=target)
        p.start()
        p.join()
        print(f'{target.__name__:18} exitcode = {p.exitcode}')

    for how in ('terminate', 'kill'):
        p = mp.Process(target=sleeps)
        p.start()
        getattr(p, how)()     # p.terminate() sends SIGTERM, p.kill() SIGKILL
        p.join()
        print(f'after {how + "()":12} exitcode = {p.exitcode}')

    p = mp.Process(target=raises)
    p.start()
    p.join()                  # the traceback went to the child's stderr
    print(f'{"raises":18} exitcode = {p.exitcode}')
    print('the parent is still running')
