"""Runners of the scaling series: queues, pools, locks, a manager, starts.

Each runner measures ONE point of a curve in this (fresh) interpreter:
``*_lib(mp, x, quick)`` on teachmp or the stdlib (the same code for both),
``*_floor(x, quick)`` with bare system calls.  Each returns a dict with at
least ``'value'`` in the series' unit (see :mod:`benchmarks.scaling`).

Nothing is pinned here: a curve over 1..8 processes is about how the work
spreads over the cores, so the scheduler is left to do its job.

The many-process runners share one shape, a *gang*: every member does an
untimed warm-up, says "ready" on a plain ``os.pipe``, waits at a starting gun
(another pipe), does its share, and writes one byte to a "done" pipe.  The
parent times from the gun to the last "done", so neither process start nor
exit is in the figure -- only the contended work.
"""

import os
import socket
import struct
import time

from benchmarks.cases import noop
from benchmarks.cases_queue import _queue_floor, _queue_lib, burn, tiny
from benchmarks.helpers import TIMEOUT, _check_exitcode, _fork_child, _wait_child

FRAME = struct.Struct('>q')                  # floor frames: one signed int


def _read_n(fd, n):
    """Read exactly n bytes from a pipe (EOF early is an error)."""
    chunks, got = [], 0
    while got < n:
        chunk = os.read(fd, n - got)
        if not chunk:
            raise RuntimeError('a child died before it reported')
        chunks.append(chunk)
        got += len(chunk)
    return b''.join(chunks)


# -- the gang ------------------------------------------------------------------

def _member(work, args, pipes):
    ready_w, gun_r, done_w = pipes
    work(*args, warm=True)
    os.write(ready_w, b'r')
    os.read(gun_r, 1)
    work(*args, warm=False)
    os.write(done_w, b'd')


def _gang_time(start_members, n):
    """Start n members with start_members(pipes), fire, time, reap."""
    ready_r, ready_w = os.pipe()
    gun_r, gun_w = os.pipe()
    done_r, done_w = os.pipe()
    reap = start_members((ready_w, gun_r, done_w))
    for fd in (ready_w, gun_r, done_w):
        os.close(fd)
    try:
        _read_n(ready_r, n)
        t0 = time.perf_counter()
        os.write(gun_w, b'g' * n)
        _read_n(done_r, n)
        dt = time.perf_counter() - t0
    finally:
        for fd in (ready_r, gun_w, done_r):
            os.close(fd)
        reap()
    return dt


def _lib_gang(ctx, n, work, args):
    def start(pipes):
        procs = [ctx.Process(target=_member, args=(work, args(k), pipes))
                 for k in range(n)]
        for p in procs:
            p.start()

        def reap():
            for p in procs:
                p.join(TIMEOUT)
                if p.exitcode is None:
                    p.kill()
                    p.join(TIMEOUT)
            for p in procs:
                _check_exitcode(p)
        return reap
    return _gang_time(start, n)


def _floor_gang(n, work, args):
    def start(pipes):
        pids = [_fork_child(lambda k=k: _member(work, args(k), pipes))
                for k in range(n)]
        return lambda: [_wait_child(pid) for pid in pids]
    return _gang_time(start, n)


# -- Queue: N producers x 1 consumer ------------------------------------------------

def queue_producers_lib(mp, x, quick):
    us = _queue_lib(mp, 800 if quick else 40_000, x)
    return {'value': 1e6 / us}                     # items/s


def queue_producers_floor(x, quick):
    return {'value': 1e6 / _queue_floor(800 if quick else 40_000, x)}


# -- Queue: 1 producer x N consumers ------------------------------------------------
# The producer puts `items` ints then one None per consumer; each consumer
# gets until None and reports its sum.  Timed: from the gun to the last sum.

def _qc_items(quick):
    return 800 if quick else 40_000


def _qc_consume(q, sums_w, warm):
    if warm:
        return
    total = 0
    get = q.get
    while True:
        item = get()
        if item is None:
            break
        total += item
    os.write(sums_w, FRAME.pack(total))


def _qc_produce(q, items, consumers, warm):
    if warm:
        return
    put = q.put
    for i in range(items):
        put(i)
    for _ in range(consumers):
        put(None)


def queue_consumers_lib(mp, x, quick):
    ctx = mp.get_context('fork')
    q = ctx.Queue()
    items = _qc_items(quick)
    sums_r, sums_w = os.pipe()
    # members 0..x-1 consume, member x produces
    def args(k):
        return (q, sums_w) if k < x else (q, items, x)

    def work(*a, warm):
        (_qc_consume if len(a) == 2 else _qc_produce)(*a, warm=warm)
    dt = _lib_gang(ctx, x + 1, work, args)
    os.close(sums_w)
    total = sum(FRAME.unpack(_read_n(sums_r, 8))[0] for _ in range(x))
    os.close(sums_r)
    if total != items * (items - 1) // 2:
        raise RuntimeError('items lost or duplicated')
    return {'value': items / dt}


def queue_consumers_floor(x, quick):
    # One os.pipe, 8-byte frames: writes below PIPE_BUF are atomic and the
    # pipe only ever holds whole frames, so 8-byte reads never split one.
    data_r, data_w = os.pipe()
    sums_r, sums_w = os.pipe()
    items = _qc_items(quick)

    def work(k, warm):
        if warm:
            return
        if k == x:                                 # the producer
            write, pack = os.write, FRAME.pack
            for i in range(items):
                write(data_w, pack(i))
            for _ in range(x):
                write(data_w, pack(-1))
            return
        total, read, unpack = 0, os.read, FRAME.unpack
        while True:
            (item,) = unpack(read(data_r, 8))
            if item < 0:
                break
            total += item
        os.write(sums_w, FRAME.pack(total))
    dt = _floor_gang(x + 1, work, lambda k: (k,))
    for fd in (data_r, data_w, sums_w):
        os.close(fd)
    total = sum(FRAME.unpack(_read_n(sums_r, 8))[0] for _ in range(x))
    os.close(sums_r)
    if total != items * (items - 1) // 2:
        raise RuntimeError('frames lost')
    return {'value': items / dt}


# -- Pool: map / imap_unordered over x tiny tasks ---------------------------------

def _pool_rate(mp, x, quick, call):
    ctx = mp.get_context('fork')
    # Small maps are repeated so that each sample lasts long enough to time.
    reps = max(1, (2_000 if quick else 100_000) // x)
    with ctx.Pool() as pool:
        pool.map(tiny, range(1000))                # warm-up, untimed
        t0 = time.perf_counter()
        for _ in range(reps):
            total = call(pool, x)
        dt = time.perf_counter() - t0
    if total != x * (x - 1) // 2:
        raise RuntimeError('the pool returned the wrong results')
    return {'value': reps * x / dt}                # tasks/s


def pool_map_lib(mp, x, quick):
    return _pool_rate(mp, x, quick, lambda pool, n: sum(pool.map(tiny, range(n))))


def pool_map_chunked_lib(mp, x, quick):
    # One chunk per worker: the fewest messages a map can take.
    def call(pool, n):
        workers = os.cpu_count() or 1
        return sum(pool.map(tiny, range(n), chunksize=-(-n // workers)))
    return _pool_rate(mp, x, quick, call)


def pool_imap_unordered_lib(mp, x, quick):
    return _pool_rate(mp, x, quick,
                      lambda pool, n: sum(pool.imap_unordered(tiny, range(n))))


# -- Pool: x workers, CPU-bound speedup over serial ----------------------------------

def _burn_tasks(quick):
    return [20_000 if quick else 200_000] * 8


def pool_workers_lib(mp, x, quick):
    tasks = _burn_tasks(quick)
    serial = parallel = 0.0
    with mp.get_context('fork').Pool(x) as pool:
        pool.map(burn, [1000] * x, chunksize=1)    # warm-up
        for _ in range(1 if quick else 2):
            t0 = time.perf_counter()
            for n in tasks:
                burn(n)
            t1 = time.perf_counter()
            pool.map(burn, tasks, chunksize=1)
            serial += t1 - t0
            parallel += time.perf_counter() - t1
    return {'value': serial / parallel}


def pool_workers_floor(x, quick):
    tasks = _burn_tasks(quick)
    serial = parallel = 0.0
    burn(1000)
    for _ in range(1 if quick else 2):
        t0 = time.perf_counter()
        for n in tasks:
            burn(n)
        t1 = time.perf_counter()
        pids = [_fork_child(lambda k=k: [burn(n) for n in tasks[k::x]])
                for k in range(x)]
        for pid in pids:
            _wait_child(pid)
        serial += t1 - t0
        parallel += time.perf_counter() - t1
    return {'value': serial / parallel}


# -- Locks: x processes, each on its own Lock / all on one Lock / one Value ----------

def _lock_rounds(quick):
    return 500 if quick else 20_000


def _lock_work(lock, rounds, warm):
    acquire, release = lock.acquire, lock.release
    for _ in range(100 if warm else rounds):
        acquire()
        release()


def _value_work(v, rounds, warm):
    lock = v.get_lock()
    for _ in range(100 if warm else rounds):
        with lock:
            v.value += 1


def lock_uncontended_lib(mp, x, quick):
    ctx = mp.get_context('fork')
    rounds = _lock_rounds(quick)
    locks = [ctx.Lock() for _ in range(x)]
    dt = _lib_gang(ctx, x, _lock_work, lambda k: (locks[k], rounds))
    return {'value': x * rounds / dt}              # acquire+release pairs/s


def lock_contention_lib(mp, x, quick):
    ctx = mp.get_context('fork')
    rounds = _lock_rounds(quick)
    lock = ctx.Lock()
    dt = _lib_gang(ctx, x, _lock_work, lambda k: (lock, rounds))
    return {'value': x * rounds / dt}


def value_contention_lib(mp, x, quick):
    ctx = mp.get_context('fork')
    rounds = _lock_rounds(quick)
    v = ctx.Value('i', 0)
    dt = _lib_gang(ctx, x, _value_work, lambda k: (v, rounds))
    if v.value != x * (rounds + 100):
        raise RuntimeError(f'value is {v.value}, expected {x * (rounds + 100)}')
    return {'value': x * rounds / dt}


class _PipeLock:
    """The floor's lock: a blocking pipe holding one byte (no library code)."""

    def __init__(self):
        self.r, self.w = os.pipe()
        os.write(self.w, b'\0')

    def acquire(self):
        os.read(self.r, 1)

    def release(self):
        os.write(self.w, b'\0')


def lock_uncontended_floor(x, quick):
    rounds = _lock_rounds(quick)
    locks = [_PipeLock() for _ in range(x)]
    dt = _floor_gang(x, _lock_work, lambda k: (locks[k], rounds))
    return {'value': x * rounds / dt}


def lock_contention_floor(x, quick):
    rounds = _lock_rounds(quick)
    lock = _PipeLock()
    dt = _floor_gang(x, _lock_work, lambda k: (lock, rounds))
    return {'value': x * rounds / dt}


def value_contention_floor(x, quick):
    import mmap
    rounds = _lock_rounds(quick)
    lock = _PipeLock()
    mm = mmap.mmap(-1, mmap.PAGESIZE)
    cell = memoryview(mm).cast('q')

    def work(warm):
        read, write, r, w = os.read, os.write, lock.r, lock.w
        for _ in range(100 if warm else rounds):
            read(r, 1)
            cell[0] += 1
            write(w, b'\0')
    dt = _floor_gang(x, work, lambda k: ())
    got = cell[0]
    cell.release()
    mm.close()
    if got != x * (rounds + 100):
        raise RuntimeError(f'value is {got}')
    return {'value': x * rounds / dt}


# -- Manager: x clients doing d[k] = i; d[k] on one dict ---------------------------

def _manager_rounds(quick):
    return 100 if quick else 2_000


def _client_work(d, key, rounds, warm):
    for i in range(5 if warm else rounds):
        d[key] = i
        if d[key] != i:
            raise RuntimeError('lost update')


def manager_clients_lib(mp, x, quick):
    import importlib
    ctx = mp.get_context('fork')
    manager = importlib.import_module(mp.__name__ + '.managers').SyncManager(ctx=ctx)
    manager.start()
    try:
        d = manager.dict()
        rounds = _manager_rounds(quick)
        dt = _lib_gang(ctx, x, _client_work, lambda k: (d, k, rounds))
    finally:
        manager.shutdown()
    return {'value': x * rounds / dt}              # set+get pairs/s


def _floor_serve(socks):
    # A thread per client, like a manager's server; raw bytes, no pickle.
    import threading
    store = {}

    def serve(sock):
        with sock:
            while True:
                msg = sock.recv(64)
                if not msg:
                    return
                if msg[:1] == b'S':
                    store[msg[1:2]] = msg[2:]
                    sock.sendall(b'ok')
                else:
                    sock.sendall(store[msg[1:2]])
    threads = [threading.Thread(target=serve, args=(s,)) for s in socks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def manager_clients_floor(x, quick):
    rounds = _manager_rounds(quick)
    pairs = [socket.socketpair() for _ in range(x)]
    def serve():
        for a, _ in pairs:
            a.close()                              # or no client's EOF arrives
        _floor_serve([b for _, b in pairs])
    server = _fork_child(serve)
    for _, b in pairs:
        b.close()

    def work(sock, key, warm):
        for i in range(5 if warm else rounds):
            sock.sendall(b'S' + key + i.to_bytes(4, 'big'))
            sock.recv(64)
            sock.sendall(b'G' + key)
            if int.from_bytes(sock.recv(64), 'big') != i:
                raise RuntimeError('lost update')
    try:
        dt = _floor_gang(x, work, lambda k: (pairs[k][0], bytes([65 + k])))
    finally:
        for a, _ in pairs:
            a.close()
        _wait_child(server)
    return {'value': x * rounds / dt}


# -- Process start: x processes started, then all joined ---------------------------

def _start_lib(mp, method, x):
    ctx = mp.get_context(method)
    p = ctx.Process(target=noop)                   # warm-up: lazy imports,
    p.start()                                      # the stdlib's tracker...
    p.join(TIMEOUT)
    t0 = time.perf_counter()
    procs = [ctx.Process(target=noop) for _ in range(x)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(TIMEOUT)
    dt = time.perf_counter() - t0
    for p in procs:
        _check_exitcode(p)
    return {'value': dt}                           # seconds for all x


def start_fork_lib(mp, x, quick):
    return _start_lib(mp, 'fork', x)


def start_spawn_lib(mp, x, quick):
    return _start_lib(mp, 'spawn', x)


def start_forkserver_lib(mp, x, quick):
    return _start_lib(mp, 'forkserver', x)


def start_fork_floor(x, quick):
    # fork + _exit + waitpid; also the floor of forkserver, whose server
    # does exactly this fork for every process it is asked to start.
    t0 = time.perf_counter()
    pids = []
    for _ in range(x):
        pid = os.fork()
        if pid == 0:                               # pragma: no cover (child)
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        _wait_child(pid)
    return {'value': time.perf_counter() - t0}


def start_spawn_floor(x, quick):
    # A bare interpreter that does nothing: what every spawned child pays
    # before it can import anything.
    import sys
    t0 = time.perf_counter()
    pids = [os.posix_spawn(sys.executable, [sys.executable, '-c', 'pass'],
                           os.environ) for _ in range(x)]
    for pid in pids:
        _wait_child(pid)
    return {'value': time.perf_counter() - t0}
