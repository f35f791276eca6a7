"""Children for tests/test_resource_sharer.py: they receive a Connection or a
socket *after* they started, through a pipe, a queue or a manager proxy.

Importable by name, so that spawned children find them.
"""

from support import TIMEOUT


def use_connection_from_pipe(ctl):
    """Receive a Connection on ``ctl`` and answer through it."""
    if not ctl.poll(TIMEOUT):
        raise SystemExit(3)
    conn = ctl.recv()
    conn.send(('hello through', type(conn).__name__, conn.readable, conn.writable))
    conn.close()


def use_connection_from_queue(q):
    """Take a Connection off the queue ``q`` and answer through it."""
    conn = q.get(timeout=TIMEOUT)
    conn.send('hello from the queue')
    conn.close()


def use_socket_from_queue(q):
    """Take a socket off ``q``, answer through it, and report its kind."""
    sock = q.get(timeout=TIMEOUT)
    sock.sendall(b'socket says hi')
    sock.close()


def use_connection_from_manager(lst):
    """Pop a Connection out of a manager list proxy and answer through it."""
    conn = lst.pop()
    conn.send('hello from the manager')
    conn.close()
