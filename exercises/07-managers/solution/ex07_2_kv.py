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
        self._data = {}
        self._lock = threading.Lock()

    def set(self, key, value):
        with self._lock:
            self._data[key] = value

    def get(self, key, default=None):
        with self._lock:
            return self._data.get(key, default)

    def delete(self, key):
        """Remove ``key``; a missing key raises KeyError."""
        with self._lock:
            del self._data[key]

    def keys(self):
        """The keys, sorted, as a list."""
        with self._lock:
            return sorted(self._data)


_store = None


def _get_store():
    """In the server process: make the one KVStore the first time, then
    always return that same object."""
    global _store
    if _store is None:
        _store = KVStore()
    return _store


class KVManager(BaseManager):
    """``manager.store()`` returns a proxy to the server's one KVStore."""


KVManager.register('store', callable=_get_store)


def start_kv_server(address=('127.0.0.1', 0), authkey=b'kv-secret'):
    """Start a KVManager server process listening on ``address`` (port 0:
    any free port) and return the started manager; ``manager.address`` is
    the address clients use."""
    manager = KVManager(address=address, authkey=authkey)
    manager.start()
    return manager


def kv_client(address, authkey):
    """Connect to a running KV server (no new process) and return a proxy to
    its store.  A wrong authkey raises ``multiprocessing.AuthenticationError``."""
    manager = KVManager(address=address, authkey=authkey)
    manager.connect()
    return manager.store()
