"""A staged workflow: nobody starts stage 2 before everybody finished stage 1.

Each of four workers fills its own cell in stage 1, then in stage 2 reads
its *neighbour's* cell.  Without the barrier, a fast worker would read a
cell its neighbour has not written yet.
"""
import functools
import multiprocessing as mp

N = 4


def show(data, out):
    # The barrier's action: run once per round, by one of the processes,
    # after all of them have arrived and before any of them goes on.
    print('barrier opened: data=%s out=%s' % (list(data), list(out)), flush=True)


def worker(i, barrier, data, out):
    data[i] = (i + 1) ** 2                  # stage 1: load
    barrier.wait(timeout=10)
    out[i] = data[i] + data[(i + 1) % N]    # stage 2: combine with the neighbour
    barrier.wait(timeout=10)


if __name__ == '__main__':
    data = mp.RawArray('i', N)
    out = mp.RawArray('i', N)
    barrier = mp.Barrier(N, action=functools.partial(show, data, out))
    print(barrier.parties, 'parties, broken:', barrier.broken)
    workers = [mp.Process(target=worker, args=(i, barrier, data, out))
               for i in range(N)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print('exit codes:', [w.exitcode for w in workers])
