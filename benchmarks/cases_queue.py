"""Benchmarks of chapters 04 and 08: Queue and Pool.

Same conventions as :mod:`benchmarks.cases`.  The producers of the Queue
benchmarks are forked by the library under test (``ctx.Process``), then
wait at a starting gun -- a plain ``os.pipe`` the parent writes to once every
producer has put its first, untimed item -- so that the timed part is the
stream of items and nothing else.
"""

import os
import struct
import time

from benchmarks.helpers import (TIMEOUT, _check_exitcode, _fork_child,
                                _pin_child, _wait_child)

QUEUE_ITEMS = 20_000
POOL_TASKS = 20_000
FRAME = struct.Struct('>II')        # floor frame: a length and a small int


# -- Queue: producers put small items, the parent gets them ----------------------

def _producer(q, gun_r, gun_w, first, n):
    _pin_child()
    os.close(gun_w)
    q.put('ready')
    os.read(gun_r, 1)                              # wait for the gun (EOF too)
    put = q.put
    for i in range(first, first + n):
        put(i)


def _queue_lib(mp, count, producers):
    ctx = mp.get_context('fork')
    q = ctx.Queue()
    gun_r, gun_w = os.pipe()
    share = count // producers
    procs = [ctx.Process(target=_producer,
                         args=(q, gun_r, gun_w, k * share, share))
             for k in range(producers)]
    for p in procs:
        p.start()
    os.close(gun_r)
    try:
        for _ in procs:                            # warm-up, untimed
            if q.get(timeout=TIMEOUT) != 'ready':
                raise RuntimeError('unexpected first item')
        get = q.get
        total = 0
        t0 = time.perf_counter()
        os.write(gun_w, b'g' * producers)
        for _ in range(share * producers):
            total += get()
        dt = time.perf_counter() - t0
    finally:
        os.close(gun_w)
        for p in procs:
            p.join(TIMEOUT)
            if p.exitcode is None:
                p.kill()
                p.join(TIMEOUT)
    for p in procs:
        _check_exitcode(p)
    n = share * producers
    if total != n * (n - 1) // 2:
        raise RuntimeError('items lost or duplicated')
    return dt / n * 1e6                            # µs per item


def _queue_floor(count, producers):
    # Fixed 8-byte frames through one os.pipe: each write is atomic (less
    # than PIPE_BUF), so 8-byte reads never see half a frame, whoever wrote.
    data_r, data_w = os.pipe()
    gun_r, gun_w = os.pipe()
    share = count // producers

    def produce(first):
        os.close(gun_w)
        os.close(data_r)
        _pin_child()
        write, pack = os.write, FRAME.pack
        write(data_w, pack(4, 0xFFFFFFFF))         # 'ready'
        os.read(gun_r, 1)
        for i in range(first, first + share):
            write(data_w, pack(4, i))
    pids = [_fork_child(lambda k=k: produce(k * share))
            for k in range(producers)]
    os.close(gun_r)
    os.close(data_w)
    try:
        read, unpack = os.read, FRAME.unpack
        for _ in pids:
            read(data_r, 8)
        total = 0
        t0 = time.perf_counter()
        os.write(gun_w, b'g' * producers)
        for _ in range(share * producers):
            total += unpack(read(data_r, 8))[1]
        dt = time.perf_counter() - t0
    finally:
        os.close(gun_w)
        os.close(data_r)
        for pid in pids:
            _wait_child(pid)
    n = share * producers
    if total != n * (n - 1) // 2:
        raise RuntimeError('frames lost')
    return dt / n * 1e6


def queue_one_lib(mp, count):
    return _queue_lib(mp, count, 1)


def queue_one_floor(count):
    return _queue_floor(count, 1)


def queue_four_lib(mp, count):
    return _queue_lib(mp, count, 4)


def queue_four_floor(count):
    return _queue_floor(count, 4)


# -- Pool.map over tiny tasks ------------------------------------------------------

def tiny(x):
    return x


def pool_map_tiny_lib(mp, count):
    ctx = mp.get_context('fork')
    items = range(POOL_TASKS)
    # processes=None: as many workers as os.cpu_count(), like most programs.
    with ctx.Pool(initializer=_pin_child) as pool:
        pool.map(tiny, range(1000))                # warm-up, untimed
        t0 = time.perf_counter()
        for _ in range(count):
            out = pool.map(tiny, items)
        dt = time.perf_counter() - t0
    if out[-1] != POOL_TASKS - 1 or len(out) != POOL_TASKS:
        raise RuntimeError('Pool.map returned the wrong list')
    return dt / count * 1e3                        # ms per map


# -- Pool.map CPU-bound: speedup over serial ---------------------------------------
# Not pinned: the point is to use every core.  Each sample times the same
# tasks run serially in the parent and spread over cpu_count() workers,
# alternately, and reports serial time / parallel time.

BURN = 400_000                      # loop iterations per task (~20-40 ms)


def burn(n):
    s = 0
    for i in range(n):
        s += i * i
    return s


def _tasks():
    workers = os.cpu_count() or 1
    return workers, [BURN] * (4 * workers)


def _serial(tasks):
    t0 = time.perf_counter()
    for n in tasks:
        burn(n)
    return time.perf_counter() - t0


def pool_speedup_lib(mp, count):
    workers, tasks = _tasks()
    serial = parallel = 0.0
    with mp.get_context('fork').Pool(workers) as pool:
        pool.map(burn, [1000] * workers, chunksize=1)      # warm-up
        for _ in range(count):
            serial += _serial(tasks)
            t0 = time.perf_counter()
            pool.map(burn, tasks, chunksize=1)
            parallel += time.perf_counter() - t0
    return serial / parallel                       # × faster than serial


def pool_speedup_floor(count):
    # The same tasks split over cpu_count() forked children, no pickling,
    # no result coming back: the best speedup the machine allows.
    workers, tasks = _tasks()
    serial = parallel = 0.0
    burn(1000)
    for _ in range(count):
        serial += _serial(tasks)
        t0 = time.perf_counter()
        pids = [_fork_child(lambda k=k: [burn(n) for n in tasks[k::workers]])
                for k in range(workers)]
        for pid in pids:
            os.waitpid(pid, 0)
        parallel += time.perf_counter() - t0
    return serial / parallel


def cases(Case):
    return [
        Case('queue_one', 'Queue: 1 child puts 20,000 ints, parent gets',
             'µs/item', QUEUE_ITEMS, 2_000, queue_one_lib, queue_one_floor,
             target=('stdlib', 1.0)),
        Case('queue_four', 'Queue: 4 producers × 5,000 ints → 1 consumer',
             'µs/item', QUEUE_ITEMS, 2_000, queue_four_lib, queue_four_floor),
        Case('pool_map_tiny', 'Pool().map(f, range(20,000)), tiny f',
             'ms/map', 50, 2, pool_map_tiny_lib, None, target=('stdlib', 1.0)),
        Case('pool_speedup', 'Pool(cpu_count()).map, CPU-bound: speedup '
             'over serial (not pinned)', '× serial', 3, 1, pool_speedup_lib,
             pool_speedup_floor, better='higher', pinned=False, runs=5),
    ]
