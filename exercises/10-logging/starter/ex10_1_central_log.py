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
    raise NotImplementedError('exercise 10.1: setup_worker_logging()')


def worker(queue, n_messages):
    """The body of a worker process: call ``setup_worker_logging(queue)``,
    then log ``n_messages`` records at level INFO on the logger named
    ``'ex10'``: ``'message 0'``, ``'message 1'``, ...
    """
    raise NotImplementedError('exercise 10.1: worker()')


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
    raise NotImplementedError('exercise 10.1: run_with_central_log()')

