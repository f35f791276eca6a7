"""Connections between threads: two queues, one for each direction.

Threads share memory, so nothing needs pickling or framing: ``send`` puts the
object itself on a ``queue.Queue`` and ``recv`` takes it off.  The API is the
one of ``teachmp.connection.Connection`` so that code can switch between
threads and processes.
"""

from queue import Queue

__all__ = ['Pipe', 'Connection']


class Connection:
    def __init__(self, inbox, outbox):
        self._inbox = inbox
        self._outbox = outbox
        self.send = self.send_bytes = outbox.put
        self.recv = self.recv_bytes = inbox.get

    def poll(self, timeout=0.0):
        if self._inbox.qsize() > 0:
            return True
        if timeout is not None and timeout <= 0.0:
            return False
        with self._inbox.not_empty:
            self._inbox.not_empty.wait(timeout)
        return self._inbox.qsize() > 0

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def Pipe(duplex=True):
    a, b = Queue(), Queue()
    return Connection(a, b), Connection(b, a)
