"""Logging from workers into one file: QueueHandler in the workers,
QueueListener in the parent.  Only the listener's thread writes the file.

The order in which the workers' lines arrive changes from run to run, so
the program prints the file's lines sorted.
"""
import logging
import logging.handlers
import multiprocessing as mp
import os
import tempfile


def setup_worker_logging(queue):
    root = logging.getLogger()
    root.handlers.clear()                  # a forked child inherited some
    root.addHandler(logging.handlers.QueueHandler(queue))
    root.setLevel(logging.INFO)


def work(queue, n):
    setup_worker_logging(queue)
    log = logging.getLogger('app.worker')
    log.info('computing %d squared', n)
    log.info('result %d', n * n)


if __name__ == '__main__':
    queue = mp.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'app.log')
        handler = logging.FileHandler(path)
        handler.setFormatter(logging.Formatter(
            '%(processName)-9s %(name)s %(levelname)s %(message)s'))
        listener = logging.handlers.QueueListener(queue, handler)
        listener.start()
        workers = [mp.Process(target=work, args=(queue, n), name='worker-%d' % n)
                   for n in range(3)]
        for p in workers:
            p.start()
        for p in workers:
            p.join()
        listener.stop()                    # handles what is left, then ends
        handler.close()
        with open(path) as f:
            lines = f.readlines()
    print('%d lines' % len(lines))
    for line in sorted(lines):
        print(line, end='')
