"""Fix: children send results back; the parent owns the total."""
import multiprocessing as mp


def work(n, results):
    results.put(n * 10)   # a message instead of a shared variable


if __name__ == '__main__':
    results = mp.Queue()
    procs = [mp.Process(target=work, args=(n, results)) for n in (1, 2, 3)]
    for p in procs:
        p.start()
    total = sum(results.get(timeout=5) for _ in procs)   # get before join
    for p in procs:
        p.join()
    print('parent total:', total)
