"""Exercise 03.1: a small process pool built from Pipes and connection.wait().

Uses the API: Pipe, Connection.send/recv, multiprocessing.connection.wait,
Process.terminate/join.
"""
import multiprocessing as mp
import time
from multiprocessing.connection import wait


def worker(conn, func):
    """The loop each worker process runs.

    Receive messages from ``conn`` until ``None`` arrives.  A message is
    ``(index, item)``; answer ``(index, True, func(item))``, or
    ``(index, False, exception)`` when ``func`` raises.  Close ``conn`` at
    the end.
    """
    raise NotImplementedError('exercise 03.1: worker()')


def pool_map(func, items, workers=2, timeout=10):
    """Return ``[func(x) for x in items]``, computed by ``workers`` processes.

    * Each worker runs ``worker(conn, func)`` with its own duplex Pipe.
    * Hand out the items in order: first one item to each worker, then the
      next item to whichever worker answers first (use ``wait``).
    * If ``func`` raised for some items, raise the exception of the lowest
      such index (after shutting the workers down).
    * If a worker dies, raise ``ChildProcessError``; if everything is not
      done within ``timeout`` seconds, raise ``TimeoutError``.  In both
      cases terminate the workers.
    * Always: no process left running or unjoined, every Connection closed.
    """
    raise NotImplementedError('exercise 03.1: pool_map()')
