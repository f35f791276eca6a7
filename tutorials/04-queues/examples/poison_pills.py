"""Producers, consumers and one poison pill per consumer."""
import multiprocessing as mp

STOP = None                    # the pill: a value no real task can be


def producer(first, count, tasks):
    for n in range(first, first + count):
        tasks.put(n)


def consumer(tasks, results):
    handled = 0
    while True:
        n = tasks.get()
        if n is STOP:          # one pill stops one consumer
            break
        results.put((n, n * n))
        handled += 1
    results.put(('done', handled))


if __name__ == '__main__':
    tasks, results = mp.Queue(), mp.Queue()
    producers = [mp.Process(target=producer, args=(k * 100, 100, tasks))
                 for k in range(2)]
    consumers = [mp.Process(target=consumer, args=(tasks, results))
                 for _ in range(3)]
    for p in producers + consumers:
        p.start()
    for p in producers:
        p.join()               # safe: consumers keep the tasks pipe drained
    for _ in consumers:
        tasks.put(STOP)        # only after every real task was put

    squares, handled = {}, 0
    finished = 0
    while finished < len(consumers):
        key, value = results.get(timeout=10)
        if key == 'done':
            finished += 1
            handled += value
        else:
            squares[key] = value
    for c in consumers:
        c.join()
    print('results:', len(squares), 'handled:', handled)
    print('all squares right:',
          squares == {n: n * n for n in range(200)})
    print('exit codes:', [c.exitcode for c in consumers])
