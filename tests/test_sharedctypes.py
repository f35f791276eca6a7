"""Value, Array, RawValue, RawArray, synchronized() and copy(): ctypes
objects in shared memory, compared with the stdlib.

Every test runs on teachmp and on the stdlib and asserts the same observable
result; objects handed to children travel as ``Process`` arguments under
fork and spawn.
"""

from __future__ import annotations

import ctypes
import importlib

import pytest

import sync_targets as st
from sync_targets import Point
from support import finish, normalise, recv, start

INHERITANCE = 'objects should only be shared between processes through inheritance'
# the defining module in a repr, both spellings (support.normalise makes it MOD.)
MODULE = r'\b(multiprocessing|teachmp)\.sharedctypes\.'


def sharedctypes(mod):
    return importlib.import_module(mod.__name__ + '.sharedctypes')


# -- Value ------------------------------------------------------------------------------

TYPECODE_VALUES = [
    # typecode, constructor args, expected .value
    ('c', (), b'\x00'),
    ('c', (b'x',), b'x'),
    ('u', ('\u00e9',), '\u00e9'),
    ('b', (-5,), -5),
    ('b', (200,), -56),  # wraps like ctypes
    ('B', (255,), 255),
    ('h', (-300,), -300),
    ('H', (65535,), 65535),
    ('i', (), 0),
    ('i', (7,), 7),
    ('I', (2**32 - 1,), 2**32 - 1),
    ('l', (-(2**40),), -(2**40)),
    ('L', (2**40,), 2**40),
    ('q', (-(2**62),), -(2**62)),
    ('Q', (2**64 - 1,), 2**64 - 1),
    ('f', (0.5,), 0.5),
    ('d', (), 0.0),
    ('d', (1 / 3,), 1 / 3),
]


@pytest.mark.parametrize(
    'typecode, args, expected', TYPECODE_VALUES, ids=[f'{t}{a}' for t, a, _ in TYPECODE_VALUES]
)
def test_value_typecodes(mpmod, typecode, args, expected):
    v = mpmod.Value(typecode, *args)
    assert v.value == expected and type(v.value) is type(expected)
    raw = mpmod.RawValue(typecode, *args)
    assert raw.value == expected


@pytest.mark.parametrize(
    'ctype, arg',
    [(ctypes.c_double, 2.4), (ctypes.c_bool, True), (ctypes.c_int64, -3),
     (ctypes.c_uint8, 250), (ctypes.c_char, b'z')],
)
def test_value_ctypes_types(mpmod, ctype, arg):
    v = mpmod.Value(ctype, arg)
    assert v.value == ctype(arg).value
    assert type(v.get_obj()) is ctype
    raw = mpmod.RawValue(ctype, arg)
    assert type(raw) is ctype and raw.value == ctype(arg).value


def test_value_wrapper(mpmod):
    v = mpmod.Value('i', 7)
    assert type(v).__name__ == 'Synchronized'
    assert repr(v) == '<Synchronized wrapper for c_int(7)>'
    v.value = 8
    v.value += 1
    assert v.value == 9
    obj = v.get_obj()
    assert type(obj) is ctypes.c_int and obj.value == 9
    obj.value = 10  # the same memory
    assert v.value == 10
    lock = v.get_lock()
    assert repr(lock) == '<RLock(None, 0)>'  # lock=True: a new RLock
    with v:  # the wrapper is a context manager over its lock
        assert repr(lock) == '<RLock(MainProcess, 1)>'
        v.value = 11  # an RLock: the owner may still use the value
    assert v.acquire() is True
    assert repr(lock) == '<RLock(MainProcess, 1)>'
    v.release()
    assert repr(lock) == '<RLock(None, 0)>'
    assert v.value == 11


def test_value_lock_argument(mpmod):
    lock = mpmod.Lock()
    v = mpmod.Value('d', 1.5, lock=lock)
    assert v.get_lock() is lock
    rlock = mpmod.RLock()
    assert mpmod.Value('i', lock=rlock).get_lock() is rlock
    assert repr(mpmod.Value('i', lock=None).get_lock()) == '<RLock(None, 0)>'
    assert repr(mpmod.Value('i', lock=True).get_lock()) == '<RLock(None, 0)>'
    with lock:  # the wrapper really takes the given lock
        assert v.get_lock().acquire(False) is False


def test_value_lock_false_is_raw(mpmod):
    v = mpmod.Value(ctypes.c_double, 1 / 3, lock=False)
    assert type(v) is ctypes.c_double
    assert not hasattr(v, 'get_lock')
    v.value **= 2
    assert v.value == 0.1111111111111111
    assert repr(v) == 'c_double(0.1111111111111111)'


@pytest.mark.parametrize('bad', ['x', 1.5, 0, object()], ids=['str', 'float', 'zero', 'object'])
def test_value_bad_lock_is_attribute_error(mpmod, bad):
    with pytest.raises(AttributeError, match="has no method 'acquire'"):
        mpmod.Value('i', 1, lock=bad)
    with pytest.raises(AttributeError, match="has no method 'acquire'"):
        mpmod.Array('i', 3, lock=bad)


def test_value_bad_typecode_and_args(mpmod):
    with pytest.raises(TypeError):
        mpmod.Value('x', 1)
    with pytest.raises(TypeError):
        mpmod.Value('i', 'a')
    with pytest.raises(TypeError):
        mpmod.RawValue('x')


def test_value_structure(mpmod):
    v = mpmod.Value(Point, 1.5, -2.0)
    assert type(v).__name__ == 'SynchronizedPoint'
    assert (v.x, v.y) == (1.5, -2.0)
    v.x = 4.0
    assert v.get_obj().x == 4.0
    assert type(v.get_obj()) is Point
    raw = mpmod.RawValue(Point, 4, 6)
    assert type(raw) is Point and (raw.x, raw.y) == (4.0, 6.0)
    assert type(mpmod.Value(Point, lock=False)) is Point


def test_fresh_memory_is_zeroed(mpmod):
    # freed blocks come back as new ones: they must read as zero again
    for _ in range(50):
        v = mpmod.RawValue('q', -1)
        a = mpmod.RawArray('d', [1.0, 2.0, 3.0])
        del v, a
    assert mpmod.RawValue('q').value == 0
    assert mpmod.RawArray('d', 3)[:] == [0.0, 0.0, 0.0]


def test_values_are_independent(mpmod):
    values = [mpmod.Value('i', i) for i in range(200)]
    for v in values:
        v.value *= 3
    assert [v.value for v in values] == [3 * i for i in range(200)]


# -- Array ------------------------------------------------------------------------------


def test_array_int(mpmod):
    arr = mpmod.Array('i', range(5))
    assert type(arr).__name__ == 'SynchronizedArray'
    assert len(arr) == 5
    assert arr[:] == [0, 1, 2, 3, 4]
    assert arr[-1] == 4 and arr[1:3] == [1, 2] and arr[::2] == [0, 2, 4]
    arr[0] = 10
    arr[1:3] = [7, 8]
    assert arr[:] == [10, 7, 8, 3, 4]
    with pytest.raises(IndexError):
        arr[5]
    with pytest.raises(IndexError):
        arr[5] = 1
    with pytest.raises(ValueError, match='Can only assign sequence of same size'):
        arr[1:3] = [1]
    with pytest.raises(TypeError):
        arr[0] = 'x'
    assert list(arr) == [10, 7, 8, 3, 4]
    assert normalise(repr(arr), MODULE) == (
        '<SynchronizedArray wrapper for <MOD.c_int_Array_5 object at 0xADDR>>'
    )


def test_array_sizes_and_initialisers(mpmod):
    assert mpmod.Array('d', 3)[:] == [0.0, 0.0, 0.0]
    assert mpmod.Array(ctypes.c_int, [9, 2, 8])[:] == [9, 2, 8]
    assert mpmod.Array('i', (9, 2, 8))[:] == [9, 2, 8]
    assert mpmod.Array('h', 0)[:] == []
    # the table of the docs: typecode or type, size or initializer
    assert mpmod.RawArray(ctypes.c_short, 7)[:] == [0] * 7
    assert mpmod.RawArray('h', 7)[:] == [0] * 7
    assert mpmod.RawArray(ctypes.c_int, (9, 2, 8))[:] == [9, 2, 8]
    assert mpmod.RawArray('i', (9, 2, 8))[:] == [9, 2, 8]
    with pytest.raises(ValueError):
        mpmod.RawArray('i', -1)
    with pytest.raises(TypeError):
        mpmod.Array('i', 'abc')
    with pytest.raises(TypeError):
        mpmod.Array('x', 3)


def test_array_char(mpmod):
    s = mpmod.Array('c', b'hello world')
    assert type(s).__name__ == 'SynchronizedString'
    assert s.value == b'hello world' and s.raw == b'hello world'
    assert len(s) == 11 and s[:] == b'hello world' and s[1:3] == b'el' and s[0] == b'h'
    s.value = s.value.upper()
    assert s.value == b'HELLO WORLD'
    s.value = b'hi'
    assert s.value == b'hi'  # .value stops at the first NUL
    assert s.raw == b'hi\x00LO WORLD'
    s.raw = b'x' * 11
    assert s.value == b'x' * 11
    with pytest.raises(ValueError):
        s.value = b'y' * 12
    empty = mpmod.Array('c', 4)
    assert empty.raw == b'\x00' * 4 and empty.value == b''
    s.value = b'hello'
    s[0:2] = b'HE'
    s[2] = b'L'
    s[3] = 76  # an int is a byte
    assert s.value == b'HELLo'
    assert type(s.get_obj()).__name__ == 'c_char_Array_11'
    with pytest.raises(TypeError):
        mpmod.Value('c', b'ab')
    # only 'c' arrays have .value/.raw
    with pytest.raises(AttributeError):
        mpmod.Array('i', 3).value
    with pytest.raises(AttributeError):
        mpmod.Array('u', 'abc').raw


def test_array_lock_argument_and_false(mpmod):
    lock = mpmod.Lock()
    arr = mpmod.Array('i', 3, lock=lock)
    assert arr.get_lock() is lock
    assert isinstance(arr.get_obj(), ctypes.Array) and len(arr.get_obj()) == 3
    raw = mpmod.Array('i', [1, 2], lock=False)
    assert isinstance(raw, ctypes.Array) and raw._type_ is ctypes.c_int
    assert raw[:] == [1, 2]
    assert not hasattr(raw, 'get_lock')
    assert type(mpmod.Array('c', b'ab', lock=False)).__name__ == 'c_char_Array_2'


def test_array_of_structures(mpmod):
    points = mpmod.Array(Point, [(1.875, -6.25), (-5.75, 2.0), (2.375, 9.5)],
                         lock=mpmod.Lock())
    assert len(points) == 3
    for p in points:
        p.x **= 2
        p.y **= 2
    assert [(p.x, p.y) for p in points] == [(3.515625, 39.0625), (33.0625, 4.0),
                                            (5.640625, 90.25)]


# -- synchronized() and copy() ----------------------------------------------------------


def test_synchronized(mpmod):
    sc = sharedctypes(mpmod)
    raw = mpmod.RawValue('i', 3)
    wrapped = sc.synchronized(raw)
    assert type(wrapped).__name__ == 'Synchronized'
    assert wrapped.get_obj() is raw
    assert repr(wrapped.get_lock()) == '<RLock(None, 0)>'
    wrapped.value = 4
    assert raw.value == 4
    lock = mpmod.Lock()
    assert sc.synchronized(mpmod.RawValue('i'), lock).get_lock() is lock
    assert type(sc.synchronized(mpmod.RawArray('i', 2))).__name__ == 'SynchronizedArray'
    assert type(sc.synchronized(mpmod.RawArray('c', 2))).__name__ == 'SynchronizedString'
    point = sc.synchronized(mpmod.RawValue(Point, 1, 2))
    assert type(point).__name__ == 'SynchronizedPoint'
    assert (point.x, point.y) == (1.0, 2.0)
    with pytest.raises(AssertionError):
        sc.synchronized(wrapped)  # already synchronized


def test_copy(mpmod):
    sc = sharedctypes(mpmod)
    raw = mpmod.RawValue('i', 3)
    dup = sc.copy(raw)
    assert type(dup) is ctypes.c_int and dup.value == 3
    dup.value = 4
    assert raw.value == 3  # independent memory
    arr = mpmod.RawArray('d', [1.0, 2.0])
    arr2 = sc.copy(arr)
    assert arr2[:] == [1.0, 2.0]
    arr2[0] = 5.0
    assert arr[:] == [1.0, 2.0]
    p = sc.copy(mpmod.RawValue(Point, 1, 2))
    assert type(p) is Point and (p.x, p.y) == (1.0, 2.0)
    with pytest.raises(TypeError):
        sc.copy(mpmod.Value('i', 1))  # a wrapper, not a ctypes object


def test_sharedctypes_module_names(mpmod):
    sc = sharedctypes(mpmod)
    for name in ('RawValue', 'RawArray', 'Value', 'Array', 'copy', 'synchronized',
                 'SynchronizedBase', 'Synchronized', 'SynchronizedArray',
                 'SynchronizedString'):
        assert callable(getattr(sc, name)), name
    assert isinstance(mpmod.Value('i'), sc.Synchronized)
    assert isinstance(mpmod.Array('i', 1), sc.SynchronizedArray)
    assert isinstance(mpmod.Array('c', 1), sc.SynchronizedString)
    assert isinstance(mpmod.Value(Point), sc.SynchronizedBase)
    assert sc.Value('i', 5).value == 5
    assert sc.Array('i', 2, lock=False)[:] == [0, 0]


# -- pickling outside process creation --------------------------------------------------

SHARED_KINDS = {
    'Synchronized': lambda m: m.Value('i', 1),
    'SynchronizedArray': lambda m: m.Array('i', 3),
    'SynchronizedString': lambda m: m.Array('c', 3),
    'c_int': lambda m: m.RawValue('i', 1),
    'c_int_Array_2': lambda m: m.RawArray('i', 2),
    'SynchronizedPoint': lambda m: m.Value(Point),
}


@pytest.mark.parametrize('kind', list(SHARED_KINDS))
def test_pickling_into_pipe_refused(mpmod, kind):
    obj = SHARED_KINDS[kind](mpmod)
    a, b = mpmod.Pipe()
    try:
        with pytest.raises(RuntimeError) as info:
            a.send(obj)
        assert str(info.value) == f'{kind} {INHERITANCE}'
        a.send('after')
        assert recv(b) == 'after'
    finally:
        a.close()
        b.close()


# -- across processes -------------------------------------------------------------------


def test_child_modifies_everything(mp):
    # the documentation's sharedctypes example, plus the raw kinds
    lock = mp.Lock()
    n = mp.Value('i', 7)
    x = mp.Value(ctypes.c_double, 1.0 / 3.0, lock=False)
    s = mp.Array('c', b'hello world', lock=lock)
    points = mp.Array(Point, [(1.875, -6.25), (-5.75, 2.0), (2.375, 9.5)], lock=lock)
    raw_v = mp.RawValue('d', 0.0)
    raw_a = mp.RawArray('i', [1, 2, 3])
    a, b = mp.Pipe()
    p = start(mp, st.modify_shared, n, x, s, points, raw_v, raw_a, b)
    try:
        assert recv(a) == 'done'
    finally:
        finish(p)
        a.close()
        b.close()
    assert n.value == 49
    assert x.value == 0.1111111111111111
    assert s.value == b'HELLO WORLD'
    assert [(q.x, q.y) for q in points] == [(3.515625, 6.25), (33.0625, -2.0),
                                            (5.640625, -9.5)]
    assert raw_v.value == 2.5
    assert raw_a[:] == [10, 20, 30]


def test_child_negates_array(mp):
    arr = mp.Array('i', range(10))
    a, b = mp.Pipe()
    p = start(mp, st.negate_array, arr, b)
    try:
        assert recv(a) == [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]
    finally:
        finish(p)
        a.close()
        b.close()
    assert arr[:] == [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]


def test_many_values_to_child(mp):
    values = [mp.Value('i', i) for i in range(100)]
    a, b = mp.Pipe()
    p = start(mp, st.set_many, values, b)
    try:
        assert recv(a) == 'done'
    finally:
        finish(p)
        a.close()
        b.close()
    assert [v.value for v in values] == [1000 + i for i in range(100)]


def test_value_lock_is_shared_with_child(mp):
    v = mp.Value('i', 0)
    a, b = mp.Pipe()
    try:
        with v.get_lock():
            p = start(mp, st.lock_of_value_busy, v, b)
            try:
                assert recv(a) is False  # we hold it: busy in the child too
            finally:
                finish(p)
        p = start(mp, st.lock_of_value_busy, v, b)
        try:
            assert recv(a) is True
        finally:
            finish(p)
    finally:
        a.close()
        b.close()


def test_structure_value_in_child(mp):
    v = mp.Value(Point, 0, 0)
    a, b = mp.Pipe()
    p = start(mp, st.write_struct, v, b)
    try:
        assert recv(a) == (7.5, -1.25)
    finally:
        finish(p)
        a.close()
        b.close()
    assert (v.x, v.y) == (7.5, -1.25)


def test_child_allocations_do_not_touch_parent_values(mp, impl):
    existing = [mp.Value('i', 100 + i) for i in range(20)]
    a, b = mp.Pipe()
    p = start(mp, st.allocate_in_child, impl.__name__, existing, b)
    try:
        assert recv(a) == [100 + i for i in range(20)]
    finally:
        finish(p)
        a.close()
        b.close()
    assert [v.value for v in existing] == [100 + i for i in range(20)]
    # and the parent's own next allocations are fresh memory too
    more = [mp.Value('i', -7) for _ in range(20)]
    assert [v.value for v in existing] == [100 + i for i in range(20)]
    assert [v.value for v in more] == [-7] * 20
