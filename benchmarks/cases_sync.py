"""Benchmarks of chapters 05 and 06: locks, shared ctypes, shared memory.

Same conventions as :mod:`benchmarks.cases`: ``*_lib(mp, count)`` runs the
workload on teachmp or the stdlib (the same code for both), ``*_floor(count)``
does it with bare system calls, and only the steady state is timed.

The floor of a lock deserves a word.  teachmp's lock is a pipe holding one
byte (``teachmp.synchronize``): acquire reads the byte, release writes it
back.  So the floor here is those two system calls, ``os.read`` + ``os.write``
of one byte on a non-blocking pipe -- the least that *any* pipe-based lock
can cost.  The stdlib's lock is a POSIX semaphore, whose uncontended
acquire/release is an atomic instruction in user space with no system call
at all: it is faster than this floor, which is why teachmp's target there is
an absolute one.
"""

import importlib
import mmap
import os
import time
from array import array

from benchmarks.helpers import (MiB, TIMEOUT, _check_exitcode, _fork_child,
                                _pin_child, _timed_loop, _wait_child)

ARRAY_LEN = 1_000_000


# -- Lock acquire+release, uncontended -----------------------------------------

def lock_uncontended_lib(mp, count):
    lock = mp.get_context('fork').Lock()
    acquire, release = lock.acquire, lock.release
    for _ in range(1000):                          # warm-up, untimed
        acquire()
        release()
    t0 = time.perf_counter()
    for _ in range(count):
        acquire()
        release()
    dt = time.perf_counter() - t0
    return dt / count * 1e6                        # µs per acquire+release


def _one_byte_pipe():
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    os.write(w, b'\0')
    return r, w


def lock_uncontended_floor(count):
    r, w = _one_byte_pipe()
    read, write, one = os.read, os.write, b'\0'
    try:
        for _ in range(1000):
            read(r, 1)
            write(w, one)
        t0 = time.perf_counter()
        for _ in range(count):
            read(r, 1)
            write(w, one)
        dt = time.perf_counter() - t0
    finally:
        os.close(r)
        os.close(w)
    return dt / count * 1e6


# -- Lock handoff between two processes ------------------------------------------
# Two locks, both held to begin with.  The parent releases `ping`, which the
# child is waiting to acquire; the child then releases `pong`, which the
# parent is waiting to acquire: two handoffs per round.

def _handoff_child(ping, pong, rounds):
    _pin_child()
    for _ in range(rounds):
        ping.acquire()
        pong.release()


def lock_handoff_lib(mp, count):
    ctx = mp.get_context('fork')
    ping, pong = ctx.Lock(), ctx.Lock()
    ping.acquire()
    pong.acquire()
    warm = 100
    p = ctx.Process(target=_handoff_child, args=(ping, pong, warm + count))
    p.start()
    try:
        for _ in range(warm):                      # warm-up, untimed
            ping.release()
            pong.acquire()
        release, acquire = ping.release, pong.acquire
        t0 = time.perf_counter()
        for _ in range(count):
            release()
            acquire()
        dt = time.perf_counter() - t0
    finally:
        p.join(TIMEOUT)
        if p.exitcode is None:                     # we failed half-way
            p.kill()
            p.join(TIMEOUT)
    _check_exitcode(p)
    return dt / (2 * count) * 1e6                  # µs per handoff


def lock_handoff_floor(count):
    # The same dance on two blocking pipes: a byte written is a lock released.
    ping_r, ping_w = os.pipe()
    pong_r, pong_w = os.pipe()
    warm = 100

    def child():
        _pin_child()
        os.close(ping_w)
        os.close(pong_r)
        for _ in range(warm + count):
            os.read(ping_r, 1)
            os.write(pong_w, b'\0')
    pid = _fork_child(child)
    read, write, one = os.read, os.write, b'\0'
    try:
        for _ in range(warm):
            write(ping_w, one)
            read(pong_r, 1)
        t0 = time.perf_counter()
        for _ in range(count):
            write(ping_w, one)
            read(pong_r, 1)
        dt = time.perf_counter() - t0
    finally:
        for fd in (ping_r, ping_w, pong_r, pong_w):
            os.close(fd)                           # EOF ends a stuck child
        _wait_child(pid)
    return dt / (2 * count) * 1e6


# -- with v.get_lock(): v.value += 1 ---------------------------------------------

def value_increment_lib(mp, count):
    v = mp.get_context('fork').Value('i', 0)

    def loop(n):
        for _ in range(n):
            with v.get_lock():
                v.value += 1
    loop(1000)                                     # warm-up, untimed
    t0 = time.perf_counter()
    loop(count)
    dt = time.perf_counter() - t0
    if v.value != 1000 + count:
        raise RuntimeError(f'value is {v.value}, expected {1000 + count}')
    return dt / count * 1e6                        # µs per locked increment


def value_increment_floor(count):
    # The pipe lock around an int in a shared anonymous mapping.
    r, w = _one_byte_pipe()
    mm = mmap.mmap(-1, mmap.PAGESIZE)
    cell = memoryview(mm).cast('i')
    read, write, one = os.read, os.write, b'\0'

    def loop(n):
        for _ in range(n):
            read(r, 1)
            cell[0] += 1
            write(w, one)
    try:
        loop(1000)
        t0 = time.perf_counter()
        loop(count)
        dt = time.perf_counter() - t0
        if cell[0] != 1000 + count:
            raise RuntimeError(f'value is {cell[0]}')
    finally:
        cell.release()
        mm.close()
        os.close(r)
        os.close(w)
    return dt / count * 1e6


# -- RawArray('d', 1_000_000): a[:] and a[:] = data ------------------------------

def _doubles():
    return [i * 0.5 for i in range(ARRAY_LEN)]


def array_read_lib(mp, count):
    a = mp.get_context('fork').RawArray('d', ARRAY_LEN)
    a[:] = _doubles()
    a[:]                                           # warm-up, untimed
    t0 = time.perf_counter()
    for _ in range(count):
        out = a[:]
    dt = time.perf_counter() - t0
    if len(out) != ARRAY_LEN or out[-1] != (ARRAY_LEN - 1) * 0.5:
        raise RuntimeError('a[:] returned the wrong data')
    return dt / count * 1e3                        # ms per read


def array_write_lib(mp, count):
    a = mp.get_context('fork').RawArray('d', ARRAY_LEN)
    data = _doubles()
    a[:] = data                                    # warm-up, untimed
    t0 = time.perf_counter()
    for _ in range(count):
        a[:] = data
    dt = time.perf_counter() - t0
    if a[ARRAY_LEN - 1] != data[-1]:
        raise RuntimeError('a[:] = data wrote the wrong data')
    return dt / count * 1e3                        # ms per write


def _shared_doubles():
    mm = mmap.mmap(-1, ARRAY_LEN * 8)              # shared, anonymous
    return mm, memoryview(mm).cast('d')


def array_read_floor(count):
    # The cheapest way from shared doubles to a list of floats.
    mm, view = _shared_doubles()
    view[:] = array('d', _doubles())
    try:
        view.tolist()
        t0 = time.perf_counter()
        for _ in range(count):
            out = view.tolist()
        dt = time.perf_counter() - t0
        if len(out) != ARRAY_LEN:
            raise RuntimeError('short read')
    finally:
        view.release()
        mm.close()
    return dt / count * 1e3


def array_write_floor(count):
    # The cheapest way from a list of floats into shared doubles: convert
    # them in C (array('d', ...)), then one memcpy.
    mm, view = _shared_doubles()
    data = _doubles()
    try:
        view[:] = array('d', data)
        t0 = time.perf_counter()
        for _ in range(count):
            view[:] = array('d', data)
        dt = time.perf_counter() - t0
    finally:
        view.release()
        mm.close()
    return dt / count * 1e3


# -- SharedMemory: create + attach + unlink of 1 MiB ---------------------------

def shm_cycle_lib(mp, count):
    SharedMemory = importlib.import_module(
        mp.__name__ + '.shared_memory').SharedMemory

    def once():
        shm = SharedMemory(create=True, size=MiB)
        other = SharedMemory(shm.name)
        other.close()
        shm.close()
        shm.unlink()
    # Wall µs per cycle; the stdlib's first create starts its resource
    # tracker, which the untimed first cycle of _timed_loop absorbs.
    wall_ms, _ = _timed_loop(once, count)
    return wall_ms * 1e3


def shm_cycle_floor(count):
    # shm_open is open() under /dev/shm on Linux (glibc does just that).
    prefix = f'/dev/shm/bench_floor_{os.getpid()}_'
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    serial = iter(range(count + 10))

    def once():
        path = prefix + str(next(serial))
        fd = os.open(path, flags, 0o600)
        os.ftruncate(fd, MiB)
        created = mmap.mmap(fd, MiB)
        os.close(fd)
        fd = os.open(path, os.O_RDWR)
        size = os.fstat(fd).st_size
        attached = mmap.mmap(fd, size)
        os.close(fd)
        attached.close()
        created.close()
        os.unlink(path)
    if not os.path.isdir('/dev/shm'):
        raise RuntimeError('no /dev/shm on this system')
    wall_ms, _ = _timed_loop(once, count)
    return wall_ms * 1e3


def cases(Case):
    return [
        Case('lock_uncontended', 'Lock acquire()+release(), uncontended',
             'µs/pair', 200_000, 5_000, lock_uncontended_lib,
             lock_uncontended_floor, target=('absolute', 1.6),
             two_cores=False),
        Case('lock_handoff', 'Lock handoff between two processes (ping-pong)',
             'µs/handoff', 20_000, 500, lock_handoff_lib, lock_handoff_floor),
        Case('value_increment', '`with v.get_lock(): v.value += 1`',
             'µs/increment', 100_000, 2_000, value_increment_lib,
             value_increment_floor, target=('stdlib', 2.0), two_cores=False),
        Case('array_read', "`a[:]` of RawArray('d', 1_000_000)", 'ms/read',
             10, 2, array_read_lib, array_read_floor, target=('stdlib', 1.1),
             two_cores=False),
        Case('array_write', "`a[:] = data` into RawArray('d', 1_000_000)",
             'ms/write', 20, 2, array_write_lib, array_write_floor,
             target=('stdlib', 1.1), two_cores=False),
        Case('shm_cycle', 'SharedMemory 1 MiB: create + attach + unlink',
             'µs/cycle', 10_000, 200, shm_cycle_lib, shm_cycle_floor,
             target=('stdlib', 1.1), two_cores=False),
    ]
