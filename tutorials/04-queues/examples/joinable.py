"""JoinableQueue: wait until every task has been *processed*, not just got."""
import multiprocessing as mp


def worker(tasks, results):
    while True:
        n = tasks.get()
        try:
            if n is None:
                return
            results.put(n * 10)
        finally:
            tasks.task_done()  # exactly once per get(), pills included


if __name__ == '__main__':
    tasks, results = mp.JoinableQueue(), mp.Queue()
    workers = [mp.Process(target=worker, args=(tasks, results))
               for _ in range(2)]
    for w in workers:
        w.start()
    for n in range(10):
        tasks.put(n)
    tasks.join()               # returns when task_done() was called 10 times
    print('all tasks done; results:',
          sorted(results.get(timeout=10) for _ in range(10)))
    for w in workers:
        tasks.put(None)
    tasks.join()               # the pills were processed too
    for w in workers:
        w.join()
    print('exit codes:', [w.exitcode for w in workers])
    try:
        tasks.task_done()
    except ValueError as exc:
        print('ValueError:', exc)
