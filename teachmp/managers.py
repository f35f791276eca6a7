"""Managers: a server process that holds objects, proxies that use them.

``with Manager() as m: shared = m.list()`` starts a server process (see
``teachmp.manager_server``) and returns a *proxy* (``teachmp.proxies``) for a
list that lives in that server.  Any process holding the proxy -- a child it
was passed to, or a program on another machine that ``connect()``-ed with
the address and authkey -- can call its methods; each call is one message to
the server and one reply.  That is slower than shared memory (chapter 07
measures it) but works for any picklable Python object and across hosts.

``BaseManager.register(typeid, callable, proxytype, exposed,
method_to_typeid, create_method)`` teaches a manager class a new type: the
server calls ``callable`` to make the object, and the class gains a method
named ``typeid`` that asks the server to do so and returns a proxy.
``SyncManager`` is a ``BaseManager`` with the usual types registered.

A manager started with ``start()`` shuts its server down when ``shutdown()``
is called, when the manager object is garbage collected, when the program
exits, and -- the server checks -- when the process that started it dies.
"""

import array
import queue
import signal
import threading
import weakref

from teachmp import compat, connection, log, pool, process, reduction
from teachmp.errors import ProcessError
from teachmp.manager_server import (Server, State, Token,  # noqa: F401 (re-exported)
                                    listener_client, public_methods)
from teachmp.manager_proxies import (AcquirerProxy, ArrayProxy,  # noqa: F401
                                     BarrierProxy, BaseListProxy, ConditionProxy,
                                     DictProxy, EventProxy, IteratorProxy,
                                     ListProxy, NamespaceProxy, PoolProxy,
                                     ValueProxy)
from teachmp.manager_proxies import _BasePoolProxy as BasePoolProxy  # noqa: F401
from teachmp.proxies import (AutoProxy, BaseProxy, MakeProxyType,  # noqa: F401 (re-exported)
                             RebuildProxy, RemoteError, convert_to_error,
                             dispatch)

# d.keys() on a DictProxy returns a dict view, which pickle refuses; like the
# stdlib, send views as lists.
def _rebuild_as_list(view):
    return list, (list(view),)


for _view in ({}.keys(), {}.values(), {}.items()):
    reduction.register(type(_view), _rebuild_as_list)


class BaseManager:
    """Start (or connect to) a server that holds shared objects."""

    _registry = {}
    _Server = Server

    def __init__(self, address=None, authkey=None, serializer='pickle', ctx=None,
                 *, shutdown_timeout=1.0):
        if serializer not in listener_client:
            # KeyError, as the stdlib's dictionary lookup raises.
            raise KeyError('unknown serializer %r (teachmp has: %s)' % (
                serializer, ', '.join(listener_client)))
        if authkey is None:
            authkey = process.current_process().authkey
        self._address = address
        self._authkey = process.AuthenticationString(authkey)
        self._state = State()
        self._state.value = State.INITIAL
        self._serializer = serializer
        self._Listener, self._Client = listener_client[serializer]
        if ctx is None:
            from teachmp.context import _default_context
            ctx = _default_context
        self._ctx = ctx
        self._shutdown_timeout = shutdown_timeout
        self._process = None

    def get_server(self):
        """A Server to run in this process (call its ``serve_forever``)."""
        if self._state.value != State.INITIAL:
            raise ProcessError('Already started server' if self._state.value == State.STARTED
                               else 'Manager has shut down')
        return self._Server(self._registry, self._address, self._authkey, self._serializer)

    def connect(self):
        """Use a server that is already running at ``address``."""
        conn = self._Client(self._address, authkey=self._authkey)
        try:
            dispatch(conn, None, 'dummy')
        finally:
            conn.close()
        self._state.value = State.STARTED

    def start(self, initializer=None, initargs=()):
        """Start the server in a new process."""
        if self._state.value != State.INITIAL:
            raise ProcessError('Already started server' if self._state.value == State.STARTED
                               else 'Manager has shut down')
        if initializer is not None and not callable(initializer):
            raise TypeError('initializer must be a callable')
        reader, writer = connection.Pipe(duplex=False)
        self._process = self._ctx.Process(
            target=type(self)._run_server,
            args=(self._registry, self._address, self._authkey, self._serializer,
                  writer, initializer, initargs))
        ident = ':'.join(str(i) for i in self._process._identity)
        self._process.name = type(self).__name__ + '-' + ident
        self._process.start()
        writer.close()
        if not reader.poll(60):
            raise ProcessError('the manager process did not start')
        self._address = reader.recv()
        reader.close()
        self._state.value = State.STARTED
        self.shutdown = weakref.finalize(
            self, _finalize_manager, self._process, self._address, self._authkey,
            self._state, self._Client, self._shutdown_timeout)

    @classmethod
    def _run_server(cls, registry, address, authkey, serializer, writer,
                    initializer=None, initargs=()):
        # Ctrl-C in the terminal is for the program, not for its manager.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if initializer is not None:
            initializer(*initargs)
        server = cls._Server(registry, address, authkey, serializer)
        server._owned = True
        writer.send(server.address)
        writer.close()
        log.info('manager serving at %r', server.address)
        server.serve_forever()

    def _create(self, typeid, /, *args, **kwds):
        if self._state.value != State.STARTED:
            raise ProcessError('Unable to use a manager that is not running '
                               '(call start() or connect() first)')
        conn = self._Client(self._address, authkey=self._authkey)
        try:
            ident, exposed = dispatch(conn, None, 'create', (typeid,) + args, kwds)
        finally:
            conn.close()
        return Token(typeid, self._address, ident), exposed

    def join(self, timeout=None):
        """Wait for the server process to end (after ``shutdown()``)."""
        if self._process is not None:
            self._process.join(timeout)
            if not self._process.is_alive():
                self._process = None

    def _debug_info(self):
        conn = self._Client(self._address, authkey=self._authkey)
        try:
            return dispatch(conn, None, 'debug_info')
        finally:
            conn.close()

    def _number_of_objects(self):
        conn = self._Client(self._address, authkey=self._authkey)
        try:
            return dispatch(conn, None, 'number_of_objects')
        finally:
            conn.close()

    def __enter__(self):
        if self._state.value == State.INITIAL:
            self.start()
        if self._state.value != State.STARTED:
            raise ProcessError('Unable to start server')
        return self

    def __exit__(self, *exc_info):
        self.shutdown()

    def shutdown(self):
        """Stop the server (replaced by a finalizer once started)."""

    @property
    def address(self):
        """The address of the server (a socket path, or a (host, port) pair)."""
        return self._address

    @classmethod
    def register(cls, typeid, callable=None, proxytype=None, exposed=None,
                 method_to_typeid=None, create_method=True):
        """Teach this manager class to serve objects made by ``callable``."""
        if '_registry' not in cls.__dict__:
            cls._registry = cls._registry.copy()
        if proxytype is None:
            proxytype = AutoProxy
        exposed = exposed or getattr(proxytype, '_exposed_', None)
        method_to_typeid = method_to_typeid or getattr(proxytype, '_method_to_typeid_', None)
        if method_to_typeid:
            for key, value in list(method_to_typeid.items()):
                assert type(key) is str, '%r is not a string' % key
                assert type(value) is str, '%r is not a string' % value
        cls._registry[typeid] = (callable, exposed, method_to_typeid, proxytype)
        if create_method:
            def temp(self, /, *args, **kwds):
                log.debug('requesting creation of a shared %r object', typeid)
                token, exp = self._create(typeid, *args, **kwds)
                proxy = proxytype(token, self._serializer, manager=self,
                                  authkey=self._authkey, exposed=exp)
                conn = self._Client(token.address, authkey=self._authkey)
                try:
                    dispatch(conn, None, 'decref', (token.id,))
                finally:
                    conn.close()
                return proxy
            temp.__name__ = typeid
            temp.__doc__ = ('Create a shared %r object in the server and return '
                            'a proxy for it.' % typeid)
            setattr(cls, typeid, temp)


def _finalize_manager(process_obj, address, authkey, state, Client, shutdown_timeout):
    """Shut the server down: ask politely, then terminate, then kill."""
    if process_obj.is_alive():
        log.info('sending shutdown message to manager')
        try:
            conn = Client(address, authkey=authkey)
            try:
                dispatch(conn, None, 'shutdown')
            finally:
                conn.close()
        except Exception:
            pass
        process_obj.join(timeout=shutdown_timeout)
        if process_obj.is_alive():
            log.info('manager still alive')
            log.info('trying to `terminate()` manager process')
            process_obj.terminate()
            process_obj.join(timeout=shutdown_timeout)
            if process_obj.is_alive():
                log.info('manager still alive after terminate')
                process_obj.kill()
                process_obj.join()
    state.value = State.SHUTDOWN
    from teachmp.proxies import _forget_address
    _forget_address(address)


class Namespace:
    """A plain object with attributes, shared through ``NamespaceProxy``."""

    def __init__(self, /, **kwds):
        self.__dict__.update(kwds)

    def __repr__(self):
        items = ['%s=%r' % (name, value) for name, value in self.__dict__.items()
                 if not name.startswith('_')]
        return '%s(%s)' % (type(self).__name__, ', '.join(sorted(items)))


class Value:
    def __init__(self, typecode, value, lock=True):
        self._typecode = typecode
        self._value = value

    def get(self):
        return self._value

    def set(self, value):
        self._value = value

    def __repr__(self):
        return '%s(%r, %r)' % (type(self).__name__, self._typecode, self._value)

    value = property(get, set)


def Array(typecode, sequence, lock=True):
    return array.array(typecode, sequence)


class SyncManager(BaseManager):
    """A manager with locks, queues, lists, dicts, namespaces and pools."""


SyncManager.register('Queue', queue.Queue)
SyncManager.register('JoinableQueue', queue.Queue)
SyncManager.register('Event', threading.Event, EventProxy)
SyncManager.register('Lock', threading.Lock, AcquirerProxy)
SyncManager.register('RLock', threading.RLock, AcquirerProxy)
SyncManager.register('Semaphore', threading.Semaphore, AcquirerProxy)
SyncManager.register('BoundedSemaphore', threading.BoundedSemaphore, AcquirerProxy)
SyncManager.register('Condition', threading.Condition, ConditionProxy)
SyncManager.register('Barrier', threading.Barrier, BarrierProxy)
SyncManager.register('Pool', pool.Pool, PoolProxy)
SyncManager.register('list', list, ListProxy)
SyncManager.register('dict', dict, DictProxy)
if compat.API_3_14:
    from teachmp.manager_proxies import SetProxy  # noqa: E402
    SyncManager.register('set', set, SetProxy)
SyncManager.register('Value', Value, ValueProxy)
SyncManager.register('Array', Array, ArrayProxy)
SyncManager.register('Namespace', Namespace, NamespaceProxy)
SyncManager.register('Iterator', proxytype=IteratorProxy, create_method=False)
SyncManager.register('AsyncResult', create_method=False)

# SharedMemoryManager lives in its own module, which needs BaseManager from
# this one; it belongs to this namespace, as in the stdlib.  Loaded on first
# use, so that either module may be imported first.
from teachmp import shared_memory  # noqa: E402,F401  (as the stdlib's)

HAS_SHMEM = True
__all__ = ['BaseManager', 'SyncManager', 'BaseProxy', 'Token', 'SharedMemoryManager']


def __getattr__(name):
    if name in ('SharedMemoryManager', 'SharedMemoryServer', '_SharedMemoryTracker'):
        from teachmp import shared_memory_manager
        return getattr(shared_memory_manager, name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
