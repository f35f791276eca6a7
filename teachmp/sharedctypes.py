"""ctypes objects that live in shared memory, and lock-guarded wrappers.

``RawValue('d', 1.5)`` asks the heap (``teachmp.heap``) for a block of
``sizeof(c_double)`` bytes and lays a ``c_double`` over it with
``ctypes.c_double.from_buffer``: reading ``.value`` reads the shared bytes,
so every process mapping that block sees the same number.  ``RawArray`` does
the same with an array type such as ``c_int * 10``; any ctypes type works,
including ``Structure`` subclasses.

``Value``/``Array`` add a lock (an ``RLock`` by default) and wrap the object so
that each *single* read or write of ``.value`` or of an item takes it.  That
does not make ``v.value += 1`` atomic -- it is a read, then a separate write --
which is why the wrappers also expose ``get_lock()`` for the caller to hold
around a whole update (chapter 06 shows the lost updates and the fix).

Passing these objects to a spawned child pickles the heap block (its arena's
file descriptor travels with the child, see ``heap``) plus the ctypes type;
outside process start-up they refuse to be pickled, like the stdlib's.
"""

import ctypes
import weakref

from teachmp import heap, reduction, synchronize
from teachmp.spawning import assert_spawning

typecode_to_type = {
    'c': ctypes.c_char, 'u': ctypes.c_wchar,
    'b': ctypes.c_byte, 'B': ctypes.c_ubyte,
    'h': ctypes.c_short, 'H': ctypes.c_ushort,
    'i': ctypes.c_int, 'I': ctypes.c_uint,
    'l': ctypes.c_long, 'L': ctypes.c_ulong,
    'q': ctypes.c_longlong, 'Q': ctypes.c_ulonglong,
    'f': ctypes.c_float, 'd': ctypes.c_double,
}


def _new_value(type_):
    block = heap.Block(ctypes.sizeof(type_))
    return _rebuild_ctype(type_, block, None)


def _rebuild_ctype(type_, block, length):
    if length is not None:
        type_ = type_ * length
    reduction.register(type_, _reduce_ctype)
    obj = type_.from_buffer(block.view())
    obj._block = block          # the memory lives as long as the object
    return obj


def _reduce_ctype(obj):
    assert_spawning(obj)
    if isinstance(obj, ctypes.Array):
        return _rebuild_ctype, (obj._type_, obj._block, obj._length_)
    return _rebuild_ctype, (type(obj), obj._block, None)


def RawValue(typecode_or_type, *args):
    """A ctypes object in shared memory, with no lock."""
    type_ = typecode_to_type.get(typecode_or_type, typecode_or_type)
    obj = _new_value(type_)
    obj.__init__(*args)
    return obj


def RawArray(typecode_or_type, size_or_initializer):
    """A ctypes array in shared memory, with no lock."""
    type_ = typecode_to_type.get(typecode_or_type, typecode_or_type)
    if isinstance(size_or_initializer, int):
        return _new_value(type_ * size_or_initializer)
    initial = list(size_or_initializer)
    obj = _new_value(type_ * len(initial))
    obj.__init__(*initial)
    return obj


def _choose_lock(lock, ctx):
    if lock in (True, None):
        return synchronize.RLock()
    if not hasattr(lock, 'acquire'):
        raise AttributeError("%r has no method 'acquire'" % lock)
    return lock


def Value(typecode_or_type, *args, lock=True, ctx=None):
    """A shared ctypes object guarded by a lock (``lock=False``: no wrapper)."""
    obj = RawValue(typecode_or_type, *args)
    if lock is False:
        return obj
    return synchronized(obj, _choose_lock(lock, ctx), ctx=ctx)


def Array(typecode_or_type, size_or_initializer, *, lock=True, ctx=None):
    """A shared ctypes array guarded by a lock (``lock=False``: no wrapper)."""
    obj = RawArray(typecode_or_type, size_or_initializer)
    if lock is False:
        return obj
    return synchronized(obj, _choose_lock(lock, ctx), ctx=ctx)


def copy(obj):
    """A new shared object holding a copy of ``obj``'s bytes."""
    new_obj = _new_value(type(obj))
    ctypes.pointer(new_obj)[0] = obj
    return new_obj


_structure_wrappers = weakref.WeakKeyDictionary()
_rlock_held_here = synchronize.rlock_held_here    # a speed-up (see there)


def synchronized(obj, lock=None, ctx=None):
    """Wrap ``obj`` so that each attribute or item access holds ``lock``."""
    assert not isinstance(obj, SynchronizedBase), 'object already synchronized'
    if isinstance(obj, ctypes._SimpleCData):
        return Synchronized(obj, lock, ctx)
    if isinstance(obj, ctypes.Array):
        if obj._type_ is ctypes.c_char:
            return SynchronizedString(obj, lock, ctx)
        return SynchronizedArray(obj, lock, ctx)
    cls = type(obj)
    try:
        wrapper = _structure_wrappers[cls]
    except KeyError:
        fields = {name: _locked_attribute(name) for name, *_ in cls._fields_}
        wrapper = type('Synchronized' + cls.__name__, (SynchronizedBase,), fields)
        _structure_wrappers[cls] = wrapper
    return wrapper(obj, lock, ctx)


def _locked_attribute(name):
    """A property whose every read and write of ``name`` holds the lock."""
    def get(self):
        if _rlock_held_here(self._lock):    # held already: see there
            return getattr(self._obj, name)
        with self._lock:
            return getattr(self._obj, name)

    def set(self, value):
        if _rlock_held_here(self._lock):
            setattr(self._obj, name, value)
            return
        with self._lock:
            setattr(self._obj, name, value)
    return property(get, set, doc='``%s``, read or written under the lock.' % name)


class SynchronizedBase:
    """A lock-guarded wrapper around a shared ctypes object (see ``synchronized``)."""

    def __init__(self, obj, lock=None, ctx=None):
        self._obj = obj
        self._lock = _choose_lock(lock, ctx) if lock is None else lock
        self.acquire = self._lock.acquire
        self.release = self._lock.release

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc_info):
        return self._lock.__exit__(*exc_info)

    def __reduce__(self):
        assert_spawning(self)
        return synchronized, (self._obj, self._lock)

    def get_obj(self):
        """The ctypes object itself, without the lock."""
        return self._obj

    def get_lock(self):
        """The lock that guards the object: hold it around a whole update."""
        return self._lock

    def __repr__(self):
        return '<%s wrapper for %s>' % (type(self).__name__, self._obj)


class Synchronized(SynchronizedBase):
    """A shared ctypes value whose ``value`` takes the lock on each access."""

    value = _locked_attribute('value')


class SynchronizedArray(SynchronizedBase):
    """A shared ctypes array whose items and slices take the lock on each access."""

    def __len__(self):
        return len(self._obj)

    def __getitem__(self, i):
        with self._lock:
            return self._obj[i]

    def __setitem__(self, i, value):
        with self._lock:
            self._obj[i] = value

    def __getslice__(self, start, stop):
        return self[start:stop]

    def __setslice__(self, start, stop, values):
        self[start:stop] = values


class SynchronizedString(SynchronizedArray):
    """A shared ``c_char`` array, with ``value`` and ``raw`` under the lock too."""

    value = _locked_attribute('value')
    raw = _locked_attribute('raw')
