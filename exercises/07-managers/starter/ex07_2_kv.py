"""Exercise 07.2: a tiny key-value server, reachable by address and authkey.

Uses: multiprocessing.managers.BaseManager (register, start, connect,
address).  One server process holds ONE KVStore; any process that knows the
address and the authkey can connect and use it -- a child of yours, or a
program started from another terminal (or another machine).
"""
import threading
from multiprocessing.managers import BaseManager


class KVStore:
    """A dict with four methods, safe to call from several server threads."""

    def __init__(self):
        raise NotImplementedError('exercise 07.2: KVStore.__init__()')

    def set(self, key, value):
        raise NotImplementedError('exercise 07.2: KVStore.set()')

    def get(self, key, default=None):
        raise NotImplementedError('exercise 07.2: KVStore.get()')

    def delete(self, key):
        """Remove ``key``; a missing key raises KeyError."""
        raise NotImplementedError('exercise 07.2: KVStore.delete()')

    def keys(self):
        """The keys, sorted, as a list."""
        raise NotImplementedError('exercise 07.2: KVStore.keys()')


def _get_store():
    """In the server process: make the one KVStore the first time, then
    always return that same object."""
    raise NotImplementedError('exercise 07.2: _get_store()')


class KVManager(BaseManager):
    """``manager.store()`` returns a proxy to the server's one KVStore."""


# exercise 07.2: register _get_store on KVManager here (typeid "store").


def start_kv_server(address=('127.0.0.1', 0), authkey=b'kv-secret'):
    """Start a KVManager server process listening on ``address`` (port 0:
    any free port) and return the started manager; ``manager.address`` is
    the address clients use."""
    raise NotImplementedError('exercise 07.2: start_kv_server()')


def kv_client(address, authkey):
    """Connect to a running KV server (no new process) and return a proxy to
    its store.  A wrong authkey raises ``multiprocessing.AuthenticationError``."""
    raise NotImplementedError('exercise 07.2: kv_client()')
