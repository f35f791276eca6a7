"""Tests of exercise 06.2: a bump allocator over one shared mmap."""
import ctypes
import multiprocessing as mp

import pytest

import helpers06

pytestmark = [pytest.mark.ex06_2, pytest.mark.timeout(60)]

ctx = mp.get_context('fork')     # the anonymous mapping is inherited, not pickled


class Point(ctypes.Structure):
    _fields_ = [('x', ctypes.c_double), ('y', ctypes.c_double)]


def test_offsets_are_aligned_and_consecutive(ex):
    arena = ex.BumpArena(64)
    assert arena.used() == 0
    assert arena.alloc(1) == 0
    assert arena.alloc(4, align=4) == 4         # 1 is rounded up to 4
    assert arena.alloc(1, align=1) == 8
    assert arena.alloc(8) == 16                 # 9 is rounded up to 16
    assert arena.used() == 24
    assert arena.alloc(0, align=32) == 32       # an empty piece still aligns
    assert arena.used() == 32


def test_full_arena_raises_memory_error_and_keeps_top(ex):
    arena = ex.BumpArena(32)
    assert arena.alloc(20) == 0
    with pytest.raises(MemoryError):
        arena.alloc(16)                         # 24 + 16 > 32
    assert arena.used() == 20
    assert arena.alloc(8) == 24                 # exactly fills it
    assert arena.used() == 32
    with pytest.raises(MemoryError):
        arena.alloc(1)


def test_bad_arguments(ex):
    with pytest.raises(ValueError):
        ex.BumpArena(0)
    arena = ex.BumpArena(64)
    for align in (0, 3, 6, -8):
        with pytest.raises(ValueError):
            arena.alloc(1, align=align)
    with pytest.raises(ValueError):
        arena.alloc(-1)
    assert arena.used() == 0


def test_new_lays_ctypes_objects_over_the_arena(ex):
    arena = ex.BumpArena(256)
    flag = arena.new(ctypes.c_char, b'x')
    number = arena.new(ctypes.c_double, 2.5)
    point = arena.new(Point, 1.0, -2.0)
    assert (flag.value, number.value, (point.x, point.y)) == (b'x', 2.5, (1.0, -2.0))
    addresses = [ctypes.addressof(o) for o in (flag, number, point)]
    base = addresses[0]
    assert [a - base for a in addresses] == [0, 8, 16], \
        'each object at the next offset aligned for its type'
    assert arena.used() == 32
    number.value = -1.25                        # the bytes really are the arena's
    assert bytes(arena.buffer[8:16]) == bytes(ctypes.c_double(-1.25))


def test_new_array_is_zero_filled(ex):
    arena = ex.BumpArena(4096)
    arena.alloc(3, align=1)
    ints = arena.new_array(ctypes.c_int, 10)
    assert ints[:] == [0] * 10
    assert type(ints) is ctypes.c_int * 10
    assert arena.used() == 4 + 40               # aligned to 4 after 3 bytes
    ints[9] = 99
    assert ints[9] == 99


def test_a_forked_child_writes_what_the_parent_reads(ex):
    arena = ex.BumpArena(1024)
    number = arena.new(ctypes.c_long, 1)
    ints = arena.new_array(ctypes.c_int, 5)
    point = arena.new(Point, 0.5, 0.5)
    children = [ctx.Process(target=helpers06.write_in_child, args=(number, 123456)),
                ctx.Process(target=helpers06.fill_array, args=(ints, 10)),
                ctx.Process(target=helpers06.move_point, args=(point, 1.0, -1.0))]
    for c in children:
        c.start()
    for c in children:
        c.join(20)
    assert [c.exitcode for c in children] == [0, 0, 0]
    assert number.value == 123456
    assert ints[:] == [10, 11, 12, 13, 14]
    assert (point.x, point.y) == (1.5, -0.5)
