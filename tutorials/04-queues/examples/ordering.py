"""Per-producer order is kept; producers interleave as they please."""
import multiprocessing as mp

PRODUCERS = 3
ITEMS = 1000


def produce(name, q):
    for i in range(ITEMS):
        q.put((name, i))


if __name__ == '__main__':
    q = mp.Queue()
    procs = [mp.Process(target=produce, args=('p%d' % k, q))
             for k in range(PRODUCERS)]
    for p in procs:
        p.start()
    arrived = [q.get(timeout=10) for _ in range(PRODUCERS * ITEMS)]
    for p in procs:
        p.join()

    for k in range(PRODUCERS):
        name = 'p%d' % k
        mine = [i for who, i in arrived if who == name]
        print(name, 'sent', ITEMS, 'got', len(mine),
              'in order:', mine == list(range(ITEMS)))
