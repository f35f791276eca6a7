"""What one acquire+release costs, alone and handed between two processes.

Run it twice and compare:  python cost.py   and   python -m teachmp run cost.py
"""
# example: skip "prints timings, which differ from run to run"
import multiprocessing as mp
import time

ROUNDS = 200_000
PINGS = 20_000


def uncontended(lock):
    acquire, release = lock.acquire, lock.release
    t0 = time.perf_counter()
    for _ in range(ROUNDS):
        acquire()
        release()
    return (time.perf_counter() - t0) / ROUNDS * 1e6


def pong(ping, pong_, n):
    for _ in range(n):
        ping.acquire()
        pong_.release()


def handoff():
    # Two semaphores of value 0: the parent posts `ping`, the child waits for
    # it and posts `pong`.  Each round trip is two waits that must sleep and
    # be woken by the other process.
    ping, pong_ = mp.Semaphore(0), mp.Semaphore(0)
    child = mp.Process(target=pong, args=(ping, pong_, PINGS))
    child.start()
    t0 = time.perf_counter()
    for _ in range(PINGS):
        ping.release()
        pong_.acquire()
    elapsed = time.perf_counter() - t0
    child.join()
    return elapsed / PINGS * 1e6


if __name__ == '__main__':
    print(mp.__name__)
    print('Lock acquire+release, uncontended: %.2f us' % min(
        uncontended(mp.Lock()) for _ in range(5)))
    print('handoff round trip between two processes: %.1f us' % min(
        handoff() for _ in range(3)))
