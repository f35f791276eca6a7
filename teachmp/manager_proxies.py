"""The typed proxies of ``SyncManager``: one small class per kind of object.

Each class lists the methods it forwards (``_exposed_``) and spells out the
ones whose arguments need care -- ``acquire(blocking, timeout)`` must not send
``timeout=None`` to a ``threading.Lock`` that does not accept it; ``wait_for``
runs its predicate here, in the caller, because a predicate (often a lambda)
cannot be sent to the server.  ``NamespaceProxy`` keeps attributes that start
with ``_`` on the proxy itself, which is how the proxy's own bookkeeping
(``_token``, ``_tls``) stays local.  ``_method_to_typeid_`` says which methods
return a new shared object (a dict's iterator, a pool's ``AsyncResult``)
for which the caller gets a proxy instead of a copy.
"""

import collections.abc
import time
import types

from teachmp import compat
from teachmp.proxies import BaseProxy, MakeProxyType


# Python 3.14 added locked() to the lock proxies and more list and dict
# methods; the names exist only where the running Python has them.
_LOCKED = ('locked',) if compat.API_3_14 else ()
_LIST_3_14 = ('clear', 'copy') if compat.API_3_14 else ()
_DICT_3_14 = ('__ior__', '__or__', '__reversed__', '__ror__', 'fromkeys') if compat.API_3_14 else ()


class IteratorProxy(BaseProxy):
    """A proxy for an iterator in the server (what ``keys()`` or ``imap`` return)."""

    _exposed_ = ('__next__', 'send', 'throw', 'close')

    def __iter__(self):
        return self

    def __next__(self, *args):
        return self._callmethod('__next__', args)

    def send(self, *args):
        """``send()`` to the generator in the server."""
        return self._callmethod('send', args)

    def throw(self, *args):
        """``throw()`` into the generator in the server."""
        return self._callmethod('throw', args)

    def close(self, *args):
        """``close()`` the generator in the server."""
        return self._callmethod('close', args)


class AcquirerProxy(BaseProxy):
    """A proxy for a lock or semaphore in the server; usable in ``with``."""

    _exposed_ = ('acquire', 'release') + _LOCKED

    def acquire(self, blocking=True, timeout=None):
        """Acquire the lock in the server (one round trip)."""
        args = (blocking,) if timeout is None else (blocking, timeout)
        return self._callmethod('acquire', args)

    def release(self):
        """Release the lock in the server."""
        return self._callmethod('release')

    if compat.API_3_14:
        def locked(self):
            return self._callmethod('locked')

    def __enter__(self):
        return self._callmethod('acquire')

    def __exit__(self, *exc_info):
        return self._callmethod('release')


class ConditionProxy(AcquirerProxy):
    """A proxy for a ``threading.Condition`` in the server."""

    _exposed_ = ('acquire', 'release') + _LOCKED + ('wait', 'notify', 'notify_all')

    def wait(self, timeout=None):
        """Wait on the condition in the server (the lock must be held)."""
        return self._callmethod('wait', (timeout,))

    def notify(self, n=1):
        """Wake up to ``n`` waiters in the server."""
        return self._callmethod('notify', (n,))

    def notify_all(self):
        """Wake every waiter in the server."""
        return self._callmethod('notify_all')

    def wait_for(self, predicate, timeout=None):
        """Wait until ``predicate()`` is true, re-checking it here after each wake-up."""
        result = predicate()
        if result:
            return result
        deadline = None if timeout is None else time.monotonic() + timeout
        while not result:
            waittime = None
            if deadline is not None:
                waittime = deadline - time.monotonic()
                if waittime <= 0:
                    break
            self.wait(waittime)
            result = predicate()
        return result


class EventProxy(BaseProxy):
    """A proxy for a ``threading.Event`` in the server."""

    _exposed_ = ('is_set', 'set', 'clear', 'wait')

    def is_set(self):
        """Whether the event in the server is set."""
        return self._callmethod('is_set')

    def set(self):
        """Set the event in the server."""
        return self._callmethod('set')

    def clear(self):
        """Clear the event in the server."""
        return self._callmethod('clear')

    def wait(self, timeout=None):
        """Wait for the event in the server (or ``timeout``)."""
        return self._callmethod('wait', (timeout,))


class BarrierProxy(BaseProxy):
    """A proxy for a ``threading.Barrier`` in the server."""

    _exposed_ = ('__getattribute__', 'wait', 'abort', 'reset')

    def wait(self, timeout=None):
        """Wait at the barrier in the server."""
        return self._callmethod('wait', (timeout,))

    def abort(self):
        """Break the barrier in the server."""
        return self._callmethod('abort')

    def reset(self):
        """Reset the barrier in the server."""
        return self._callmethod('reset')

    parties = property(lambda self: self._callmethod('__getattribute__', ('parties',)),
                       doc="The barrier's ``parties``, read in the server.")
    n_waiting = property(lambda self: self._callmethod('__getattribute__', ('n_waiting',)),
                         doc="The barrier's ``n_waiting``, read in the server.")
    broken = property(lambda self: self._callmethod('__getattribute__', ('broken',)),
                      doc="The barrier's ``broken``, read in the server.")


class NamespaceProxy(BaseProxy):
    """Attributes live in the server, except those starting with ``_``."""

    _exposed_ = ('__getattribute__', '__setattr__', '__delattr__')

    def __getattr__(self, key):
        if key[0] == '_':
            return object.__getattribute__(self, key)
        return object.__getattribute__(self, '_callmethod')('__getattribute__', (key,))

    def __setattr__(self, key, value):
        if key[0] == '_':
            return object.__setattr__(self, key, value)
        return object.__getattribute__(self, '_callmethod')('__setattr__', (key, value))

    def __delattr__(self, key):
        if key[0] == '_':
            return object.__delattr__(self, key)
        return object.__getattribute__(self, '_callmethod')('__delattr__', (key,))


class ValueProxy(BaseProxy):
    """A proxy for a ``Value`` in the server: ``get``, ``set`` and ``value``."""

    _exposed_ = ('get', 'set')

    def get(self):
        """The value in the server."""
        return self._callmethod('get')

    def set(self, value):
        """Replace the value in the server."""
        return self._callmethod('set', (value,))

    value = property(get, set, doc='The value in the server (``get`` and ``set``).')

    __class_getitem__ = classmethod(types.GenericAlias)   # ValueProxy[int]


BaseListProxy = MakeProxyType('BaseListProxy', (
    '__add__', '__contains__', '__delitem__', '__getitem__', '__len__',
    '__mul__', '__reversed__', '__rmul__', '__setitem__', 'append', 'count',
    'extend', 'index', 'insert', 'pop', 'remove', 'reverse', 'sort', '__imul__')
    + _LIST_3_14)


class ListProxy(BaseListProxy):
    """A proxy for a list in the server (``m.list()``)."""

    def __iadd__(self, value):
        self._callmethod('extend', (value,))
        return self

    def __imul__(self, value):
        self._callmethod('__imul__', (value,))
        return self


_BaseDictProxy = MakeProxyType('DictProxy', (
    '__contains__', '__delitem__', '__getitem__', '__iter__', '__len__',
    '__setitem__', 'clear', 'copy', 'get', 'items', 'keys', 'pop', 'popitem',
    'setdefault', 'update', 'values') + _DICT_3_14)


class DictProxy(_BaseDictProxy):
    """A proxy for a dict in the server (``m.dict()``)."""

    _method_to_typeid_ = {'__iter__': 'Iterator'}

    if compat.API_3_14:
        def __ior__(self, value):
            # d |= other changes the dict in the server; the name stays
            # bound to this proxy (a plain forwarder would return the
            # server's dict, copied).
            self._callmethod('__ior__', (value,))
            return self


# Subscriptable (ListProxy[int]) from 3.13, as the stdlib's.
if compat.GENERIC_DICT_LIST_PROXY:
    ListProxy.__class_getitem__ = classmethod(types.GenericAlias)
    DictProxy.__class_getitem__ = classmethod(types.GenericAlias)


if compat.API_3_14:
    _BaseSetProxy = MakeProxyType('_BaseSetProxy', (
        '__and__', '__contains__', '__ge__', '__gt__', '__iand__', '__ior__',
        '__isub__', '__iter__', '__ixor__', '__le__', '__len__', '__lt__',
        '__or__', '__rand__', '__ror__', '__rsub__', '__rxor__', '__sub__',
        '__xor__', 'add', 'clear', 'copy', 'difference', 'difference_update',
        'discard', 'intersection', 'intersection_update', 'isdisjoint',
        'issubset', 'issuperset', 'pop', 'remove', 'symmetric_difference',
        'symmetric_difference_update', 'union', 'update'))

    class SetProxy(_BaseSetProxy):
        """A proxy for a set in the server (``SyncManager.set()``, 3.14+).

        ``iter(s)`` gets a copy of the elements, not an iterator proxy: a
        set iterator pickles as an iterator over a list (as in the stdlib).
        """

        # The in-place operators change the server's set and keep the name
        # bound to the proxy, as for DictProxy's |=.
        def __ior__(self, value):
            self._callmethod('__ior__', (value,))
            return self

        def __iand__(self, value):
            self._callmethod('__iand__', (value,))
            return self

        def __ixor__(self, value):
            self._callmethod('__ixor__', (value,))
            return self

        def __isub__(self, value):
            self._callmethod('__isub__', (value,))
            return self

        __class_getitem__ = classmethod(types.GenericAlias)

    # 3.14 also registers the proxies with the ABCs they behave like.  (The
    # stdlib's first 3.14 releases put SetProxy under MutableMapping, a bug
    # fixed later, gh-142741; teachmp follows the fix.)
    collections.abc.MutableSet.register(_BaseSetProxy)
    collections.abc.MutableSequence.register(BaseListProxy)
    collections.abc.MutableMapping.register(_BaseDictProxy)


ArrayProxy = MakeProxyType('ArrayProxy', ('__len__', '__getitem__', '__setitem__'))
ArrayProxy.__module__ = __name__     # pickled by reference: say where it lives
ArrayProxy.__doc__ = 'A proxy for an array in the server (``m.Array()``).'

_BasePoolProxy = MakeProxyType('PoolProxy', (
    'apply', 'apply_async', 'close', 'imap', 'imap_unordered', 'join', 'map',
    'map_async', 'starmap', 'starmap_async', 'terminate'))


class PoolProxy(_BasePoolProxy):
    """A proxy for a ``Pool`` in the server (``m.Pool()``)."""

    _method_to_typeid_ = {
        'apply_async': 'AsyncResult', 'map_async': 'AsyncResult',
        'starmap_async': 'AsyncResult', 'imap': 'Iterator',
        'imap_unordered': 'Iterator'}

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.terminate()
