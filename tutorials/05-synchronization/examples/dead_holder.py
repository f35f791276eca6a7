"""A process dies while holding a lock: the lock stays taken forever."""
import multiprocessing as mp
import os
import signal


def take_and_die(lock):
    lock.acquire()
    os.kill(os.getpid(), signal.SIGKILL)    # no finally, no atexit: gone


if __name__ == '__main__':
    lock = mp.Lock()
    child = mp.Process(target=take_and_die, args=(lock,))
    child.start()
    child.join()
    print('child exit code:', child.exitcode)
    # Without a timeout this acquire() would never return.
    print('acquired:', lock.acquire(timeout=0.5))
