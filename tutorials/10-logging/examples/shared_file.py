"""Two processes, one log file, each with its own open(): what ends up there.

Real interleaving depends on the scheduler and cannot be shown reliably, so
the events below fix one possible order: both writers open the file, then
A writes all its lines, then B writes.  Only the mode of open() changes.
"""
import multiprocessing as mp
import tempfile
import os


def writer(path, mode, text, opened, go):
    with open(path, mode) as f:
        opened.set()
        go.wait(10)
        f.write(text)


def run(path, mode):
    open(path, 'w').close()                  # start from an empty file
    texts = ['A: the first writer logs a long line\n' * 2,
             'B: short line\n']
    workers = []
    for text in texts:
        opened, go = mp.Event(), mp.Event()
        p = mp.Process(target=writer, args=(path, mode, text, opened, go))
        p.start()
        opened.wait(10)                      # both files are open ...
        workers.append((p, go))
    for p, go in workers:                    # ... before anyone writes
        go.set()
        p.join()
    with open(path) as f:
        print('mode %r:' % mode)
        for line in f:
            print('   ', repr(line))


if __name__ == '__main__':
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'shared.log')
        run(path, 'r+')     # each process writes at its own offset, from 0
        run(path, 'a')      # O_APPEND: every write goes to the current end
