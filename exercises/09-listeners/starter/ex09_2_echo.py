"""Exercise 09.2: an echo service for several clients at once.

Uses: multiprocessing.connection.Listener, Client and wait.  One server
process owns a Listener; every client that knows the address and the
authkey gets its own Connection.  The server must not serve the clients one
after the other: a client that stays silent may not hold up the others.
``wait(connections, timeout)`` tells which connections have something to
read (a message, or end-of-file when a client has gone).
"""
import time

import multiprocessing as mp
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener, wait


def serve(listener, n_clients, timeout=10.0):
    """Serve ``n_clients`` clients of ``listener`` until all of them are gone.

    * Accept ``n_clients`` connections.  A client that fails the
      authentication (``accept()`` raises AuthenticationError) does not
      count: keep accepting.
    * Number the connections 0, 1, 2, ... in the order accepted.  Answer
      every message ``msg`` from connection ``i`` with ``(i, msg)``, sent
      back on the same connection.
    * A client that closes its end (``recv()`` raises EOFError) is done:
      close its connection.  Return the number of messages answered when
      every client is done.
    * If that has not happened ``timeout`` seconds after the last client was
      accepted, close every connection and raise TimeoutError.
    """
    raise NotImplementedError('exercise 09.2: serve()')


def run_server(n_clients, authkey, report):
    """The server process: make a Listener on ``("127.0.0.1", 0)`` with
    ``authkey``, send its ``address`` on the connection ``report`` (and
    close ``report``), then ``serve(listener, n_clients)``.  Close the
    Listener in the end, whatever happens."""
    raise NotImplementedError('exercise 09.2: run_server()')


def start_server(n_clients, authkey, ctx=None):
    """Start ``run_server`` in a new process of context ``ctx`` (the default
    context if None) and return ``(process, address)`` once the server has
    reported its address.  If no address comes within 10 seconds, kill the
    process and raise TimeoutError."""
    raise NotImplementedError('exercise 09.2: start_server()')


def echo_client(address, authkey, messages):
    """Connect to the server at ``address`` with ``authkey``; send each of
    ``messages`` and receive its answer before sending the next one; close
    the connection and return the list of answers."""
    raise NotImplementedError('exercise 09.2: echo_client()')
