"""The program of exercise 04.3: the queue-join deadlock of chapter 04.

Its first ``join`` has a timeout, so the program ends.  Record it and draw it:

    python -m teachmp trace -o queue.json tests/program04_3.py
    python -m teachmp trace show queue.json      # then open queue.html
"""
import multiprocessing


def produce(q):
    q.put('x' * 1_000_000)      # far more than the 64 KiB a pipe holds


def program(mp):
    """Run the program with ``mp`` (a multiprocessing context)."""
    q = mp.Queue()
    p = mp.Process(target=produce, args=(q,))
    p.start()
    p.join(timeout=1)
    item = q.get(timeout=20)
    p.join(timeout=20)
    return len(item), p.exitcode


if __name__ == '__main__':
    print(program(multiprocessing.get_context('fork')))
