"""Connections between threads: two queues, one for each direction.

Threads share memory, so nothing needs pickling or framing: ``send`` puts the
object itself on a ``queue.Queue`` and ``recv`` takes it off.  The API is the
one of ``teachmp.connection.Connection`` so that code can switch between
threads and processes.

``Listener`` and ``Client`` follow the same idea: a listener's *address* is
not a socket name but the listener's own queue of waiting clients.  A
client makes a fresh pair of queues and puts it on that queue; ``accept``
takes the pair off and returns the other end.  Only a thread of the same
program can hold the address, so there is nothing to authenticate.
"""

from queue import Queue

__all__ = ['Client', 'Listener', 'Pipe']

families = [None]     # no address families: an address is a Queue


class Listener:
    """Accept connections from ``Client(listener.address)`` in other threads."""

    def __init__(self, address=None, family=None, backlog=1):
        # ``address`` and ``family`` are accepted for the API's sake only.
        self._backlog_queue = Queue(backlog)

    def accept(self):
        """Wait for a client; return this end of its connection."""
        if self._backlog_queue is None:
            raise OSError('listener is closed')
        inbox, outbox = self._backlog_queue.get()
        return Connection(inbox, outbox)

    def close(self):
        """Stop accepting connections."""
        self._backlog_queue = None

    @property
    def address(self):
        """The backlog queue, which ``Client`` needs to connect."""
        return self._backlog_queue

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        state = 'closed' if self._backlog_queue is None else 'listening'
        return '<dummy Listener %s>' % state


def Client(address):
    """Connect to the ``Listener`` whose ``address`` (its queue) is given."""
    to_client, to_listener = Queue(), Queue()
    address.put((to_listener, to_client))
    return Connection(to_client, to_listener)


class Connection:
    """One end of a thread pipe: ``send`` puts on one queue, ``recv`` takes
    from the other."""

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
    """Two connected ends made of two ``queue.Queue`` objects."""
    a, b = Queue(), Queue()
    return Connection(a, b), Connection(b, a)
