"""Module-level things the listener and manager tests send to other processes.

Children started with ``spawn`` find functions and classes by module and
name, and a manager's server process finds registered callables the same way,
so everything lives here rather than in the test files.  Nothing here imports
teachmp or multiprocessing at module level: each function receives what it
needs (proxies, connections, the implementation's name).
"""

from __future__ import annotations

import importlib
import operator
import os
import queue
import sys

from support import TIMEOUT

IMPLS = {'teachmp': 'teachmp', 'stdlib': 'multiprocessing'}


def load(impl_name):
    return importlib.import_module(IMPLS[impl_name])


# -- children that use SyncManager proxies ------------------------------------


def square(x):
    return x * x


def use_sync_types(p, result):
    """Touch every SyncManager type through the proxies in dict ``p``.

    What the child saw is put in the dict proxy ``result``.
    """
    with p['lock']:
        p['list'].append('locked')
    p['rlock'].acquire()
    p['rlock'].acquire()
    p['rlock'].release()
    p['rlock'].release()
    result['sem'] = p['sem'].acquire(timeout=TIMEOUT)
    p['sem'].release()
    p['bsem'].acquire()
    p['bsem'].release()
    try:
        p['bsem'].release()
    except ValueError:
        result['bsem_over_release'] = 'ValueError'
    p['queue'].put(('from child', os.getpid()))
    p['jqueue'].put('job')
    p['ns'].x = p['ns'].x + 1
    p['ns'].y = 'child'
    p['value'].value = p['value'].value * 2
    p['array'][0] = 99
    result['array_len'] = len(p['array'])
    p['dict']['child'] = True
    result['pool'] = p['pool'].map(square, range(5))
    result['pool_apply'] = p['pool'].apply(square, (7,))
    # wake the parent, then meet it at the barrier
    with p['cond']:
        p['list'].append('ready')
        p['cond'].notify_all()
    result['barrier'] = p['barrier'].wait(TIMEOUT) in (0, 1)
    result['event'] = p['event'].wait(TIMEOUT)


def append_items(lst, items):
    for item in items:
        lst.append(item)


def mutate_nested(outer):
    """outer[0] is a dict proxy: mutate it through the nesting."""
    outer[0]['seen_by_child'] = os.getpid()
    outer[0]['count'] = outer[0]['count'] + 1


def namespace_child(ns, conn):
    """Report which attributes the child sees on a Namespace proxy."""
    conn.send((ns.x, str(ns)))
    ns.x = 'set by child'
    conn.close()


def increment_many(counter, lock, n):
    for _ in range(n):
        with lock:
            counter.value = counter.value + 1


# -- custom managers -----------------------------------------------------------


class Maths:
    def add(self, x, y):
        return x + y

    def mul(self, x, y):
        return x * y


class Widget:
    """Public, private and dunder methods, to test ``exposed``."""

    def __init__(self, name='w'):
        self.name = name

    def public(self):
        return 'public ' + self.name

    def other(self):
        return 'other'

    def _private(self):
        return 'private ' + self.name

    def fail_index(self):
        return [][1]

    def fail_custom(self):
        raise CustomError('custom', 42)

    def unpicklable(self):
        return lambda: None


class CustomError(Exception):
    pass


def squares(n):
    for i in range(n):
        yield i * i


class Node:
    """``child()`` returns a new Node: with method_to_typeid the caller gets a proxy."""

    def __init__(self, label='root'):
        self.label = label
        self.children = []

    def child(self, label):
        node = Node(label)
        self.children.append(node)
        return node

    def get_label(self):
        return self.label

    def count_children(self):
        return len(self.children)

    def walk(self):
        return iter([c.label for c in self.children])


def get_operator_module():
    return operator


_INIT_STATE = {}


def record_init(tag):
    """A manager ``initializer``: runs in the server process."""
    _INIT_STATE['tag'] = tag
    _INIT_STATE['pid'] = os.getpid()


def init_state():
    return dict(_INIT_STATE)


_shared_queue = queue.Queue()


def get_shared_queue():
    return _shared_queue


def build_custom_managers(impl_name):
    """Manager classes registered with this module's callables, per impl.

    Returned from a function (not made at import) because each implementation
    needs its own BaseManager subclass; the classes are cached so that
    pickling by reference finds them again as attributes of this module.
    """
    key = '_managers_' + impl_name
    cached = globals().get(key)
    if cached is not None:
        return cached
    mp = load(impl_name)
    managers = importlib.import_module(IMPLS[impl_name] + '.managers')
    BaseManager, BaseProxy = managers.BaseManager, managers.BaseProxy

    class GeneratorProxy(BaseProxy):
        _exposed_ = ['__next__']

        def __iter__(self):
            return self

        def __next__(self):
            return self._callmethod('__next__')

    class CustomManager(BaseManager):
        pass

    CustomManager.register('Maths', Maths)
    CustomManager.register('Widget', Widget)
    CustomManager.register('WidgetExposed', Widget, exposed=('public', '_private'))
    CustomManager.register('squares', squares, proxytype=GeneratorProxy)
    CustomManager.register('operator', get_operator_module)
    # the server wraps a method's result as the typeid's referent only when
    # that typeid has no callable (a callable would be *called* with it)
    node_methods = {'child': 'NodeRef', 'walk': 'NodeIter'}
    CustomManager.register('Node', Node, method_to_typeid=node_methods)
    CustomManager.register(
        'NodeRef', method_to_typeid=node_methods, create_method=False
    )
    CustomManager.register('NodeIter', proxytype=GeneratorProxy, create_method=False)
    CustomManager.register('init_state', init_state)

    class QueueManager(BaseManager):
        pass

    QueueManager.register('get_queue', callable=get_shared_queue)

    class QueueClient(BaseManager):
        pass

    QueueClient.register('get_queue')

    for cls in (GeneratorProxy, CustomManager, QueueManager, QueueClient):
        cls.__qualname__ = cls.__name__ = f'{cls.__name__}_{impl_name}'
        cls.__module__ = __name__
        globals()[cls.__name__] = cls
    result = {
        'GeneratorProxy': GeneratorProxy,
        'CustomManager': CustomManager,
        'QueueManager': QueueManager,
        'QueueClient': QueueClient,
        'mp': mp,
    }
    globals()[key] = result
    return result


# make the classes importable by name in a spawned child / server process
for _impl in IMPLS:
    try:
        build_custom_managers(_impl)
    except ImportError:  # pragma: no cover - teachmp not importable
        pass


def serve_queue_manager(impl_name, conn, authkey):
    """Run a QueueManager's server in this process until terminated."""
    QueueManager = build_custom_managers(impl_name)['QueueManager']
    m = QueueManager(address=('127.0.0.1', 0), authkey=authkey)
    server = m.get_server()
    conn.send(server.address)
    conn.close()
    server.serve_forever()


def queue_client_put(impl_name, address, authkey, items):
    """Connect to a remote QueueManager and put ``items`` on its queue."""
    QueueClient = build_custom_managers(impl_name)['QueueClient']
    m = QueueClient(address=address, authkey=authkey)
    m.connect()
    q = m.get_queue()
    for item in items:
        q.put(item)


def sync_client(impl_name, address, authkey, conn):
    """Connect to a started SyncManager by address and use a dict there."""
    managers = importlib.import_module(IMPLS[impl_name] + '.managers')
    m = managers.SyncManager(address=address, authkey=authkey)
    m.connect()
    d = m.dict(origin='remote client', pid=os.getpid())
    conn.send(d._getvalue())
    conn.close()
    sys.exit(0)


def call_method(proxy, name, args, conn):
    """Call ``proxy.name(*args)`` in a child and send back (result or error type)."""
    try:
        conn.send(('ok', getattr(proxy, name)(*args)))
    except Exception as e:  # noqa: BLE001
        conn.send(('error', type(e).__name__))
    conn.close()


def start_blocking_thread():
    """A manager initializer that keeps the server from exiting by itself.

    A non-daemon thread that never ends: the server process waits for it at
    exit, so ``shutdown()`` has to fall back to terminate() after
    ``shutdown_timeout`` seconds.
    """
    import threading

    threading.Thread(target=threading.Event().wait, name='blocker').start()
