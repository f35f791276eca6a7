"""Exercise 10.1: many processes, one log file (QueueHandler + QueueListener).

Workers never touch the file: each one puts its log records on a queue, and
a single thread in the parent (a ``logging.handlers.QueueListener``) takes
them off and writes them.  One writer means whole lines, never torn ones.
"""
import logging
import logging.handlers
import multiprocessing as mp

# The format of every line of the central file, e.g. "worker-2: message 0".
FORMAT = '%(processName)s: %(message)s'


def setup_worker_logging(queue):
    """Make this process's root logger send every record to ``queue``.

    Afterwards the root logger has exactly one handler, a
    ``logging.handlers.QueueHandler(queue)``, and level ``logging.DEBUG``.
    Remove any handler that was there before (a forked child inherits its
    parent's handlers, which would write the records a second time).
    """
    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    root.addHandler(logging.handlers.QueueHandler(queue))
    root.setLevel(logging.DEBUG)


def worker(queue, n_messages):
    """The body of a worker process: call ``setup_worker_logging(queue)``,
    then log ``n_messages`` records at level INFO on the logger named
    ``'ex10'``: ``'message 0'``, ``'message 1'``, ...
    """
    setup_worker_logging(queue)
    log = logging.getLogger('ex10')
    for k in range(n_messages):
        log.info('message %d', k)


def run_with_central_log(n_workers, path, n_messages=3):
    """Run ``n_workers`` processes named ``worker-0``, ``worker-1``, ...
    (target ``worker``, args ``(queue, n_messages)``), all started before
    any is joined, and write every record they log into the file ``path``
    (created or truncated), one line per record in the format ``FORMAT``.

    The parent writes the file through a ``logging.handlers.QueueListener``
    reading a ``multiprocessing`` queue.  Before returning, join the
    workers, stop the listener (so that every record is written) and close
    the file.  Return the workers' exit codes, in order.
    """
    queue = mp.Queue()
    handler = logging.FileHandler(path, mode='w', encoding='utf-8')
    handler.setFormatter(logging.Formatter(FORMAT))
    listener = logging.handlers.QueueListener(queue, handler)
    listener.start()
    try:
        procs = [mp.Process(target=worker, args=(queue, n_messages),
                            name='worker-%d' % i) for i in range(n_workers)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        return [p.exitcode for p in procs]
    finally:
        listener.stop()
        handler.close()
        queue.close()
        queue.join_thread()
