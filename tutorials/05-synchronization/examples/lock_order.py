"""Two processes take two locks in opposite orders: a deadlock.

A Barrier makes the bad interleaving happen every time (each holds its
first lock before either asks for its second), and a timeout turns the
deadlock into an exit code instead of a hang.
"""
import multiprocessing as mp
import sys


def transfer(first, second, patience, barrier=None):
    with first:
        if barrier is not None:
            barrier.wait(timeout=10)        # both now hold their first lock
        if not second.acquire(timeout=patience):
            sys.exit(1)                     # gave up (releasing `first`)
        second.release()
    # exit code 0: got both locks


def run(order_a, order_b, barrier=None):
    a = mp.Process(target=transfer, args=(*order_a, 0.3, barrier))
    b = mp.Process(target=transfer, args=(*order_b, 10, barrier))
    a.start()
    b.start()
    a.join()
    b.join()
    for name, p in (('A', a), ('B', b)):
        print(' ', name, 'got both locks' if p.exitcode == 0 else 'gave up')


if __name__ == '__main__':
    x, y = mp.Lock(), mp.Lock()
    print('opposite orders:')
    run((x, y), (y, x), mp.Barrier(2))  # A gives up after 0.3 s; then B gets both
    print('same order:')
    run((x, y), (x, y))                 # no cycle, no deadlock
