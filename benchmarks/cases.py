"""The measurements themselves.

Each benchmark has one function per kind of implementation:

* ``lib(mp, count)`` runs the workload on a multiprocessing-like module
  ``mp`` (teachmp or the stdlib -- the very same code for both);
* ``floor(count)`` does the same work with bare system calls and no pickle.

Both return one number in the benchmark's unit.  Only the steady state is
timed: every function first does a little untimed warm-up (one process
started, a few messages exchanged) so that one-time costs -- lazy imports,
the stdlib's resource tracker that its first ``spawn`` starts, the
allocator's first large ``malloc`` -- are not charged to every message.

Children are always started with ``fork`` for the pipe benchmarks: what is
measured there is the connection, not the process start.

This module is imported by spawned children (``noop`` must be importable by
name), so it imports nothing heavy at module level.
"""

import os
import socket
import sys
import time

from benchmarks.helpers import (MiB, TIMEOUT, _check_exitcode, _fork_child,
                                _pin_child, _timed_loop, _wait_child)

SMALL_OBJECT = ('ping', 1)
# The exact bytes the stdlib puts on the wire for SMALL_OBJECT: a 4-byte
# big-endian length, then the pickle.  The round-trip floor moves this many
# bytes, but never pickles them.
SMALL_FRAME_LEN = 4 + 23


def noop():
    """The target of every process-start benchmark."""


def _payload(size=MiB):
    # Real, distinct pages: bytes(size) would be calloc'ed zero pages, which
    # the kernel can copy from a single physical page and flatter the numbers.
    return bytes(range(256)) * (size // 256)


# -- 1, 2: process start + join ----------------------------------------------
# These return (wall ms, CPU ms) per process.  The CPU time (user + system, of
# the parent and of the children it reaped) hardly depends on what else the
# machine is doing, where the wall time on a busy machine includes waiting
# for a core: the report shows both.

def _start_join(mp, method, count):
    ctx = mp.get_context(method)

    def once():
        p = ctx.Process(target=noop)
        p.start()
        p.join(TIMEOUT)
        _check_exitcode(p)
    return _timed_loop(once, count)


def fork_start_lib(mp, count):
    return _start_join(mp, 'fork', count)


def fork_start_floor(count):
    def once():
        pid = os.fork()
        if pid == 0:                               # pragma: no cover (child)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        if status:
            raise RuntimeError(f'child {pid} status {status}')
    return _timed_loop(once, count)


def spawn_start_lib(mp, count):
    return _start_join(mp, 'spawn', count)


def spawn_start_floor(count):
    # A fresh interpreter that runs nothing: `python -c pass`, with site
    # (neither implementation starts its children with -S), launched the
    # cheapest way Python offers (posix_spawn: vfork+exec in glibc).
    argv = [sys.executable, '-c', 'pass']

    def once():
        pid = os.posix_spawn(sys.executable, argv, os.environ)
        _wait_child(pid)
    return _timed_loop(once, count)


def forkserver_start_lib(mp, count):
    # The warm-up start in _timed_loop starts the fork server: what is timed
    # is the steady state, one request to a server that is already running.
    return _start_join(mp, 'forkserver', count)


def forkserver_start_floor(count):
    # The server's share of the work is one fork; the floor is that fork
    # (connecting, authenticating and passing fds is what the request adds).
    return fork_start_floor(count)


# -- 3: round trip of a small object -----------------------------------------

def _echo(conn):
    _pin_child()
    while True:
        obj = conn.recv()
        if obj is None:
            break
        conn.send(obj)
    conn.close()


def pipe_roundtrip_lib(mp, count):
    ctx = mp.get_context('fork')
    here, there = mp.Pipe()                       # duplex: a socketpair
    p = ctx.Process(target=_echo, args=(there,))
    p.start()
    there.close()
    try:
        obj = SMALL_OBJECT
        for _ in range(100):                       # warm-up, untimed
            here.send(obj)
            here.recv()
        send, recv = here.send, here.recv
        t0 = time.perf_counter()
        for _ in range(count):
            send(obj)
            reply = recv()
        dt = time.perf_counter() - t0
        if reply != obj:
            raise RuntimeError(f'echo returned {reply!r}')
        here.send(None)
    finally:
        here.close()
        p.join(TIMEOUT)
    _check_exitcode(p)
    return dt / count * 1e6                        # µs per round trip


def pipe_roundtrip_floor(count):
    here, there = socket.socketpair()
    frame = bytes(SMALL_FRAME_LEN)

    def echo():
        _pin_child()
        here.close()
        fd = there.fileno()
        while True:
            data = os.read(fd, 256)
            if not data:                           # parent closed: EOF
                return
            os.write(fd, data)
    pid = _fork_child(echo)
    there.close()
    try:
        fd = here.fileno()
        read, write = os.read, os.write
        for _ in range(100):
            write(fd, frame)
            read(fd, 256)
        t0 = time.perf_counter()
        for _ in range(count):
            write(fd, frame)
            reply = read(fd, 256)
        dt = time.perf_counter() - t0
        if len(reply) != SMALL_FRAME_LEN:
            raise RuntimeError(f'short echo: {len(reply)} bytes')
    finally:
        here.close()
        _wait_child(pid)
    return dt / count * 1e6


# -- 4: stream of 1 MiB messages ---------------------------------------------

def _send_many(conn, count):
    _pin_child()
    payload = _payload()
    for _ in range(count):
        conn.send_bytes(payload)
    conn.close()


def _stream_lib(mp, count, duplex):
    ctx = mp.get_context('fork')
    reader, writer = mp.Pipe(duplex=duplex)
    p = ctx.Process(target=_send_many, args=(writer, count + 1))
    p.start()
    writer.close()
    try:
        reader.recv_bytes()                        # warm-up message, untimed
        recv = reader.recv_bytes
        total = 0
        t0 = time.perf_counter()
        for _ in range(count):
            total += len(recv())
        dt = time.perf_counter() - t0
    finally:
        reader.close()
        p.join(TIMEOUT)
    _check_exitcode(p)
    if total != count * MiB:
        raise RuntimeError(f'received {total} bytes, expected {count * MiB}')
    return total / MiB / dt                        # MiB/s


def pipe_stream_lib(mp, count):
    return _stream_lib(mp, count, duplex=False)


def pipe_stream_duplex_lib(mp, count):
    return _stream_lib(mp, count, duplex=True)


def _stream_floor(count, duplex):
    if duplex:
        a, b = socket.socketpair()
        rfd, wfd = a.detach(), b.detach()
    else:
        rfd, wfd = os.pipe()

    def write_all():
        _pin_child()
        os.close(rfd)
        view = memoryview(_payload())
        size = len(view)
        for _ in range(count + 1):
            done = 0
            while done < size:
                done += os.write(wfd, view[done:])
        os.close(wfd)
    pid = _fork_child(write_all)
    os.close(wfd)
    try:
        buf = bytearray(MiB)
        view = memoryview(buf)

        def read_one():
            got = 0
            while got < MiB:
                n = os.readv(rfd, [view[got:]])
                if n == 0:
                    raise EOFError('writer went away')
                got += n
            return got
        read_one()                                 # warm-up message
        total = 0
        t0 = time.perf_counter()
        for _ in range(count):
            total += read_one()
        dt = time.perf_counter() - t0
    finally:
        os.close(rfd)
        _wait_child(pid)
    return total / MiB / dt


def pipe_stream_floor(count):
    return _stream_floor(count, duplex=False)


def pipe_stream_duplex_floor(count):
    return _stream_floor(count, duplex=True)


# -- the registry --------------------------------------------------------------

class Case:
    """One benchmark: what it is called, what it measures, how it is judged.

    ``target`` is ``None`` (informational), ``('stdlib', r)`` or
    ``('floor', r)`` -- a ratio of medians teachmp/other to stay under (times)
    or above (throughputs) -- or ``('absolute', x)``: the teachmp median
    itself, in the row's unit.  ``floor`` is ``None`` where no raw-OS version
    of the work makes sense (the column then reads n/a).  ``runs`` caps the
    samples per cell for the slow benchmarks (the driver's ``--runs`` is the
    default).  ``pinned=False`` runs the benchmark unpinned whatever the
    placement: the CPU-bound Pool speedup needs every core.
    """

    def __init__(self, name, title, unit, count, quick, lib, floor,
                 better='lower', target=None, two_cores=True, runs=None,
                 pinned=True):
        self.name = name
        self.title = title
        self.unit = unit
        self.count = count        # iterations per sample, full run
        self.quick = quick        # iterations per sample, --quick
        self.lib = lib
        self.floor = floor
        self.better = better      # 'lower' (times) or 'higher' (throughput)
        self.target = target      # see above
        # Does placing the child on another CPU change what is measured?
        # Not for the start benchmarks: their children inherit the parent's
        # CPU either way (and mostly run while the parent waits).
        self.two_cores = two_cores and pinned
        self.runs = runs
        self.pinned = pinned


CASES = {c.name: c for c in [
    Case('fork_start', "Process start+join, 'fork'", 'ms/process', 50, 5,
         fork_start_lib, fork_start_floor, target=('stdlib', 1.0),
         two_cores=False),
    Case('spawn_start', "Process start+join, 'spawn'", 'ms/process', 10, 1,
         spawn_start_lib, spawn_start_floor, target=('stdlib', 1.0),
         two_cores=False),
    Case('forkserver_start', "Process start+join, 'forkserver'", 'ms/process',
         20, 2, forkserver_start_lib, forkserver_start_floor,
         target=('stdlib', 1.0), two_cores=False),
    Case('pipe_roundtrip', "Pipe() round trip of ('ping', 1)", 'µs/round trip',
         20_000, 500, pipe_roundtrip_lib, pipe_roundtrip_floor,
         target=('stdlib', 1.0)),
    Case('pipe_stream', 'Pipe(duplex=False) stream of 1 MiB send_bytes',
         'MiB/s', 256, 16, pipe_stream_lib, pipe_stream_floor,
         better='higher', target=('floor', 0.9)),
    Case('pipe_stream_duplex', 'Pipe(duplex=True) stream of 1 MiB send_bytes',
         'MiB/s', 256, 16, pipe_stream_duplex_lib, pipe_stream_duplex_floor,
         better='higher', target=None),
]}

# The benchmarks of the later chapters live in their own modules (they use
# the helpers above, hence the import down here).
from benchmarks import cases_sync, cases_queue, cases_manager  # noqa: E402

for _module in (cases_sync, cases_queue, cases_manager):
    for _case in _module.cases(Case):
        CASES[_case.name] = _case
del _module, _case
