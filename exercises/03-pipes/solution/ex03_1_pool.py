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
    while True:
        message = conn.recv()
        if message is None:
            break
        index, item = message
        try:
            reply = (index, True, func(item))
        except Exception as exc:
            reply = (index, False, exc)
        conn.send(reply)
    conn.close()


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
    items = list(items)
    deadline = time.monotonic() + timeout
    conns, procs = [], []
    for _ in range(workers):
        here, there = mp.Pipe()
        proc = mp.Process(target=worker, args=(there, func))
        proc.start()
        there.close()                 # else we would never see EOF if it dies
        conns.append(here)
        procs.append(proc)

    results = [None] * len(items)
    errors = {}
    busy = set()
    next_index = 0

    def hand_out(conn):
        nonlocal next_index
        if next_index < len(items):
            conn.send((next_index, items[next_index]))
            next_index += 1
            busy.add(conn)

    try:
        for conn in conns:
            hand_out(conn)
        while busy:
            remaining = deadline - time.monotonic()
            ready = wait(list(busy), max(remaining, 0))
            if not ready:
                raise TimeoutError(f'pool_map did not finish in {timeout} s')
            for conn in ready:
                try:
                    index, ok, value = conn.recv()
                except EOFError:
                    raise ChildProcessError('a worker died while working') from None
                busy.discard(conn)
                if ok:
                    results[index] = value
                else:
                    errors[index] = value
                hand_out(conn)
        for conn in conns:
            conn.send(None)
    except BaseException:
        for proc in procs:
            proc.terminate()
        raise
    finally:
        for conn in conns:
            conn.close()
        for proc in procs:
            proc.join()
    if errors:
        raise errors[min(errors)]
    return results
