"""A first queue: workers put results, the parent gets them."""
import multiprocessing as mp
import queue


def square_all(numbers, results):
    for n in numbers:
        results.put((n, n * n))


if __name__ == '__main__':
    results = mp.Queue()
    workers = [mp.Process(target=square_all, args=(range(i, 12, 3), results))
               for i in range(3)]
    for w in workers:
        w.start()
    got = [results.get(timeout=10) for _ in range(12)]   # get first ...
    for w in workers:
        w.join()                                         # ... then join
    print(sorted(got))
    try:
        results.get(timeout=0.1)
    except queue.Empty:
        print('queue.Empty: nothing more within 0.1 s')
