"""Runners of the payload series: one message of x bytes, again and again.

Three ways a big object travels, each with ``bytes`` and a NumPy array:

``pipe``
    ``Pipe(duplex=False)``, a forked child sends.  ``bytes`` go with
    ``send_bytes`` / ``recv_bytes`` (no pickle at all).  The array goes the
    pickle-protocol-5 way the API allows: ``pickle.dumps(arr, protocol=5,
    buffer_callback=...)`` keeps the array's memory *out of band*, the small
    header and the raw buffer go as two ``send_bytes`` (no copy of the data
    into a pickle), and the receiver rebuilds the array on the received
    buffer with ``pickle.loads(head, buffers=[buf])`` (no copy out of it).
``queue``
    ``Queue.put`` in a forked child, ``Queue.get`` in the parent: the queue
    pickles in band, the API has no way to pass buffers out of band.
``pool``
    ``Pool(1).apply(give)``: the worker returns a payload it built once (in
    its initializer), so the figure is the result path alone.

Besides MB/s every runner reports the **peak RSS** over the transfers, in
MiB above where the process started them (``/proc/self/status``: ``VmHWM``
after writing ``5`` to ``/proc/self/clear_refs``, which resets the peak; on
a system without those files, ``getrusage`` maxima, which cannot be reset):
``rss_recv`` for the receiving process, ``rss_send`` for the sending one
(not measured for the pool, whose sender is a worker the pool owns).
The floor moves the same bytes through a raw ``os.pipe`` into one reused
buffer: one copy into the kernel, one out, nothing allocated per message.
"""

import os
import pickle
import struct
import time

from benchmarks.helpers import TIMEOUT, _check_exitcode, _fork_child, _wait_child

KiB, MiB = 1 << 10, 1 << 20
_F = struct.Struct('>d')


# -- peak RSS ----------------------------------------------------------------------

def _status_kib(field):
    try:
        with open('/proc/self/status', encoding='ascii') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Peak:
    """Peak resident memory of this process between start() and stop(), MiB."""

    def start(self):
        try:
            with open('/proc/self/clear_refs', 'w', encoding='ascii') as f:
                f.write('5')                       # reset VmHWM to VmRSS
        except OSError:
            pass
        self.base = _status_kib('VmRSS')
        if self.base is None:                      # no /proc: ru_maxrss, KiB
            import resource
            self.base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def stop(self):
        peak = _status_kib('VmHWM')
        if peak is None:
            import resource
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return max(0.0, (peak - self.base) / 1024)


# -- payloads ----------------------------------------------------------------------

def make(kind, size):
    """x bytes of real, distinct pages (zeros could share one page)."""
    if kind == 'numpy':
        import numpy
        return numpy.arange(size // 8, dtype=numpy.float64)
    return (bytes(range(256)) * (size // 256 + 1))[:size]


def nbytes(obj):
    return obj.nbytes if hasattr(obj, 'nbytes') else len(obj)


def transfers(size, quick):
    """Messages per sample: many small ones, a couple of big ones."""
    if quick:
        return 5
    return max(2, min(2000, (64 * MiB) // size))


# -- pipe --------------------------------------------------------------------------

def _send_oob(conn, obj):
    buffers = []
    head = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    conn.send_bytes(struct.pack('>I', len(buffers)) + head)
    for buf in buffers:
        conn.send_bytes(buf.raw())


def _recv_oob(conn):
    head = conn.recv_bytes()
    (count,) = struct.unpack_from('>I', head)
    buffers = [conn.recv_bytes() for _ in range(count)]
    return pickle.loads(memoryview(head)[4:], buffers=buffers)


def _sender(kind, size, n, report_w, send, flush):
    payload = make(kind, size)
    peak = Peak()
    peak.start()
    for _ in range(n + 1):                         # + 1: the warm-up message
        send(payload)
    flush()
    os.write(report_w, _F.pack(peak.stop()))


def _nothing():
    pass


def payload_pipe_lib(mp, kind, size, quick):
    ctx = mp.get_context('fork')
    n = transfers(size, quick)
    r, w = ctx.Pipe(duplex=False)
    send = w.send_bytes if kind == 'bytes' else (lambda o: _send_oob(w, o))
    recv = r.recv_bytes if kind == 'bytes' else (lambda: _recv_oob(r))
    return _lib_transfer(ctx, kind, size, n, send, recv, (r, w), _nothing)


def payload_queue_lib(mp, kind, size, quick):
    ctx = mp.get_context('fork')
    n = transfers(size, quick)
    q = ctx.Queue()

    def flush():
        # put() only hands the object to the feeder thread, which pickles
        # and writes it later: the sender's peak is known once it is done.
        q.close()
        q.join_thread()
    return _lib_transfer(ctx, kind, size, n, q.put,
                         lambda: q.get(timeout=TIMEOUT), (), flush)


def _lib_transfer(ctx, kind, size, n, send, recv, conns, flush):
    report_r, report_w = os.pipe()
    p = ctx.Process(target=_sender, args=(kind, size, n, report_w, send, flush))
    p.start()
    os.close(report_w)
    for c in conns[1:]:
        c.close()                                  # the child's end
    try:
        got = recv()                               # warm-up, untimed
        if nbytes(got) != size:
            raise RuntimeError(f'got {nbytes(got)} bytes, expected {size}')
        del got
        peak = Peak()
        peak.start()
        t0 = time.perf_counter()
        for _ in range(n):
            got = recv()
            del got                                # as a consumer would
        dt = time.perf_counter() - t0
        rss_recv = peak.stop()
        rss_send = _F.unpack(_read_exact(report_r, 8))[0]
    finally:
        os.close(report_r)
        p.join(TIMEOUT)
        if p.exitcode is None:
            p.kill()
            p.join(TIMEOUT)
    _check_exitcode(p)
    return {'value': n * size / dt / 1e6, 'rss_recv': rss_recv,
            'rss_send': rss_send}


def _read_exact(fd, n):
    data = b''
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            raise RuntimeError('the sender died before it reported')
        data += chunk
    return data


# -- pool result ---------------------------------------------------------------------

_GIFT = None


def _pool_init(kind, size):
    global _GIFT
    _GIFT = make(kind, size)


def _give():
    return _GIFT


def payload_pool_lib(mp, kind, size, quick):
    ctx = mp.get_context('fork')
    n = transfers(size, quick)
    with ctx.Pool(1, initializer=_pool_init, initargs=(kind, size)) as pool:
        got = pool.apply(_give)                    # warm-up, untimed
        if nbytes(got) != size:
            raise RuntimeError(f'got {nbytes(got)} bytes, expected {size}')
        del got
        peak = Peak()
        peak.start()
        t0 = time.perf_counter()
        for _ in range(n):
            got = pool.apply(_give)
            del got
        dt = time.perf_counter() - t0
        rss_recv = peak.stop()
    return {'value': n * size / dt / 1e6, 'rss_recv': rss_recv}


# -- the floor: raw os.pipe into one reused buffer ---------------------------------

def payload_floor(kind, size, quick):
    n = transfers(size, quick)
    r, w = os.pipe()
    report_r, report_w = os.pipe()

    def send():
        os.close(r)
        os.close(report_r)
        payload = make(kind, size)
        view = memoryview(payload).cast('B')
        peak = Peak()
        peak.start()
        for _ in range(n + 1):
            sent = 0
            while sent < size:
                sent += os.write(w, view[sent:sent + 4 * MiB])
        os.write(report_w, _F.pack(peak.stop()))
    pid = _fork_child(send)
    os.close(w)
    os.close(report_w)
    buf = bytearray(size)
    view = memoryview(buf)

    def recv():
        got = 0
        while got < size:
            k = os.readv(r, [view[got:got + 4 * MiB]])
            if not k:
                raise RuntimeError('the sender died')
            got += k
    try:
        recv()                                     # warm-up, untimed
        peak = Peak()
        peak.start()
        t0 = time.perf_counter()
        for _ in range(n):
            recv()
        dt = time.perf_counter() - t0
        rss_recv = peak.stop()
        rss_send = _F.unpack(_read_exact(report_r, 8))[0]
    finally:
        os.close(r)
        os.close(report_r)
        _wait_child(pid)
    return {'value': n * size / dt / 1e6, 'rss_recv': rss_recv,
            'rss_send': rss_send}
