"""Two processes take two locks in opposite orders: a deadlock.

A Barrier makes the bad interleaving happen every time (each holds its
first lock before either asks for its second), and a timeout turns the
deadlock into a message instead of a hang.
"""
# example: unordered
import multiprocessing as mp


def transfer(name, first, second, patience, barrier=None):
    with first:
        if barrier is not None:
            barrier.wait(timeout=10)        # both now hold their first lock
        if second.acquire(timeout=patience):
            second.release()
            print(name, 'got both locks', flush=True)
        else:
            print(name, 'gave up after', patience, 's', flush=True)
    # leaving the with block releases `first`: the other one can go on


def run(order_a, order_b, barrier=None):
    procs = [mp.Process(target=transfer, args=('A', *order_a, 0.3, barrier)),
             mp.Process(target=transfer, args=('B', *order_b, 10, barrier))]
    for p in procs:
        p.start()
    for p in procs:
        p.join()


if __name__ == '__main__':
    x, y = mp.Lock(), mp.Lock()
    print('opposite orders:', flush=True)
    run((x, y), (y, x), mp.Barrier(2))  # A gives up; then B gets both
    print('same order:', flush=True)
    run((x, y), (x, y))                 # no cycle, no deadlock
