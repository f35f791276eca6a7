"""Functions the chapter 07 tests run in child processes (importable by name)."""


def write_keys(kv_client, address, authkey, items):
    """Connect with ``kv_client`` and set every (key, value) of ``items``."""
    store = kv_client(address, authkey)
    for key, value in items:
        store.set(key, value)


def read_keys(kv_client, address, authkey, keys, out):
    """Connect with ``kv_client``; send back ``[store.get(k) for k in keys]``
    and ``store.keys()`` through the connection ``out``."""
    store = kv_client(address, authkey)
    out.send(([store.get(key) for key in keys], store.keys()))
    out.close()


def increment_many(counter, times):
    for _ in range(times):
        counter.increment()
