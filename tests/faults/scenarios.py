"""The scenarios of the fault matrix, one function each.

Each takes a ``Probe`` (the implementation, its context and a few helpers)
and does what a careful program would: start the peer, wait until it is in
the right place, inject the fault (``probe.kill``, a signal, a limit), then
make the blocking call that must not hang.  It returns a short description
of what it saw, or raises what the library raised: ``cell.py`` turns that
into the outcome.  Clean-up goes in ``probe.defer`` so that the leak check
that follows sees what the *library* left behind, not the scenario.

Functions that run in a child are at module level (a spawned child imports
them by name).
"""

import gc
import os
import resource
import signal
import tempfile
import threading
import time

BIG = 32 * 1024 * 1024          # far more than a pipe or socket buffer holds
SMALL_SHM = 1 << 20             # the private /dev/shm of an shm_ cell (cell.py)


class Probe:
    def __init__(self, impl, ctx, method):
        self.impl, self.ctx, self.method = impl, ctx, method
        self.fault_time = time.monotonic()
        self.lost = 0
        self._cleanups = []
        self.tmp = tempfile.mkdtemp(prefix='teachmp-faults-')
        self.defer(_rmtree, self.tmp)

    def defer(self, func, *args):
        self._cleanups.append((func, args))

    def fault(self):
        """Mark now as the moment of the fault: ``seconds`` counts from here."""
        self.fault_time = time.monotonic()

    def start(self, target, *args, daemon=True):
        p = self.ctx.Process(target=target, args=args, daemon=daemon)
        p.start()
        self.defer(_reap, p)
        return p

    def kill(self, pid_or_process):
        pid = getattr(pid_or_process, 'pid', pid_or_process)
        self.fault()
        os.kill(pid, signal.SIGKILL)
        if hasattr(pid_or_process, 'join'):
            pid_or_process.join(5)

    def ready(self):
        """Tell matrix.py that the blocking call comes next (SIGINT cells)."""
        print('READY', flush=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def cleanup(self):
        cleanups, self._cleanups = self._cleanups, []
        for func, args in reversed(cleanups):
            try:
                func(*args)
            except BaseException:
                pass


def _reap(p):
    if p.is_alive():
        p.kill()
    p.join(5)


def _rmtree(path):
    for name in os.listdir(path):
        os.unlink(os.path.join(path, name))
    os.rmdir(path)


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('scenario set-up: condition not reached in %ss' % timeout)
        time.sleep(0.01)


def write_pid(path):
    with open(path + '.tmp', 'w') as f:
        f.write(str(os.getpid()))
    os.rename(path + '.tmp', path)


def read_pid(path):
    wait_for(lambda: os.path.exists(path))
    with open(path) as f:
        return int(f.read())


# -- children -----------------------------------------------------------

def send_big(conn):
    conn.send_bytes(b'x' * BIG)


def sleep_holding(*objs):
    time.sleep(60)


def put_big_then_sleep(q, started):
    q.put(b'x' * BIG)
    started.set()
    time.sleep(60)


def get_forever(q, started):
    started.set()
    q.get()


def hold_lock(lock, started):
    lock.acquire()
    started.set()
    time.sleep(60)


def wait_on_condition(cond, started):
    with cond:
        started.set()
        cond.wait()


def set_later(event, delay):
    time.sleep(delay)
    event.set()


def task_report_then_sleep(path):
    write_pid(path)
    time.sleep(60)


def _in_big_write(tid):
    """Is thread ``tid`` inside a write() of at least 1 MiB right now?
    (x86-64 Linux: /proc/.../syscall starts with the syscall number, 1 for
    write, then the arguments: fd, buffer, count.)"""
    try:
        with open('/proc/self/task/%d/syscall' % tid) as f:
            fields = f.read().split()
    except OSError:
        return False
    return fields[0] == '1' and int(fields[3], 16) >= 1 << 20


def _kill_me_mid_write(tid):
    deadline = time.monotonic() + 10
    while not _in_big_write(tid) and time.monotonic() < deadline:
        time.sleep(0.0002)
    time.sleep(0.002)
    os.kill(os.getpid(), signal.SIGKILL)


class DiesWhileSent:
    """A large result whose worker is SIGKILLed while it writes it to the
    result pipe: pickling starts a thread that watches the main thread's
    system call and kills the process in the middle of the write."""

    def __init__(self, size):
        self.size = size

    def __reduce__(self):
        threading.Thread(target=_kill_me_mid_write, args=(threading.get_native_id(),),
                         daemon=True).start()
        return bytes, (b'x' * self.size,)


def task_big_result(path):
    write_pid(path)
    return DiesWhileSent(BIG)


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


class DiesWhenUnpickled:
    """An argument that kills the worker as it unpickles the task: the
    moment right after a worker took a task off the queue."""

    def __reduce__(self):
        return _die, ()


def task_noop(*args):
    return 'ran'


def square(x):
    return x * x


def slow_square(x):
    time.sleep(0.05)
    return x * x


def sleep_task(x):
    time.sleep(30)


def send_later(conn, value, delay):
    time.sleep(delay)
    conn.send(value)


def put_later(q, value, delay):
    time.sleep(delay)
    q.put(value)


def release_later(lock, delay):
    time.sleep(delay)
    lock.release()


def notify_later(cond, delay):
    time.sleep(delay)
    with cond:
        cond.notify_all()


# -- peer killed --------------------------------------------------------

def pipe_sender_killed(p):
    """The sender of a 32 MiB message dies once part of it arrived."""
    ours, theirs = p.ctx.Pipe()
    p.defer(ours.close)
    proc = p.start(send_big, theirs)
    theirs.close()
    if not ours.poll(10):
        raise AssertionError('set-up: nothing arrived')
    time.sleep(0.05)
    p.kill(proc)
    ours.recv_bytes()
    return 'recv_bytes returned'


def pipe_receiver_killed(p):
    """The receiver dies while we are sending it 32 MiB."""
    ours, theirs = p.ctx.Pipe()
    p.defer(ours.close)
    proc = p.start(sleep_holding, theirs)
    theirs.close()
    timer = threading.Timer(0.5, p.kill, args=(proc,))
    timer.start()
    p.defer(timer.join)
    ours.send_bytes(b'x' * BIG)
    return 'send_bytes returned'


def _close_queue(q):
    q.close()
    q.join_thread()


def queue_producer_killed(p):
    """A producer dies while its feeder writes a 32 MiB item; then we put an
    item of our own and get twice (timeout 2 s each)."""
    q = p.ctx.Queue()
    p.defer(_close_queue, q)
    q.cancel_join_thread()
    started = p.ctx.Event()
    proc = p.start(put_big_then_sleep, q, started)
    if not started.wait(10):
        raise AssertionError('set-up: producer did not start')
    time.sleep(0.3)
    p.kill(proc)
    q.put('after')
    got = []
    for _ in range(2):
        item = q.get(timeout=2)
        got.append('big' if isinstance(item, bytes) else item)
    if 'after' not in got:
        p.lost += 1
    return 'got %s' % got


def queue_consumer_killed(p):
    """A consumer dies blocked in get(); we put an item and get it back."""
    q = p.ctx.Queue()
    p.defer(_close_queue, q)
    started = p.ctx.Event()
    proc = p.start(get_forever, q, started)
    if not started.wait(10):
        raise AssertionError('set-up: consumer did not start')
    time.sleep(0.3)
    p.kill(proc)
    q.put('item')
    try:
        got = q.get(timeout=2)
    except Exception:
        p.lost += 1         # put() returned, the item is in the queue: lost
        raise
    return 'got %r' % got


def queue_consumer_killed_mid_message(p):
    """A consumer dies half-way through reading a 32 MiB item (its producer
    paused with SIGSTOP, so the rest is not in the pipe yet); the producer
    goes on, we put an item of our own and get it (timeout 2 s)."""
    q = p.ctx.Queue()
    p.defer(_close_queue, q)
    q.cancel_join_thread()
    started = p.ctx.Event()
    producer = p.start(put_big_then_sleep, q, started)
    if not started.wait(10) or not _soon(lambda: not q.empty()):
        raise AssertionError('set-up: producer did not write')
    os.kill(producer.pid, signal.SIGSTOP)
    try:
        reading = p.ctx.Event()
        consumer = p.start(get_forever, q, reading)
        if not reading.wait(10) or not _soon(q.empty):
            raise AssertionError('set-up: consumer did not read')
        p.kill(consumer)
    finally:
        os.kill(producer.pid, signal.SIGCONT)
    q.put('after')
    try:
        got = q.get(timeout=2)
    except Exception:
        p.lost += 1         # put() returned, the item is in the queue: lost
        raise
    return 'got %r' % (got if not isinstance(got, bytes) else 'big')


def _soon(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def _shutdown(m):
    try:
        m.shutdown()
    except Exception:
        pass


def _later_call(call):
    try:
        call()
        return 'a later call worked'
    except Exception as exc:
        return 'a later call raised %s' % type(exc).__name__


def manager_killed_during_call(p):
    """The manager's server dies while a proxy waits in Queue.get()."""
    m = p.ctx.Manager()
    p.defer(_shutdown, m)
    q = m.Queue()
    timer = threading.Timer(0.5, p.kill, args=(m._process,))
    timer.start()
    p.defer(timer.join)
    try:
        q.get()
    except Exception as exc:
        exc.args = (str(exc) + ' (%s)' % _later_call(lambda: q.put(1)),)
        raise
    return 'get returned'


def manager_killed_between_calls(p):
    """The manager's server dies between two calls on a dict proxy."""
    m = p.ctx.Manager()
    p.defer(_shutdown, m)
    d = m.dict()
    d['a'] = 1
    p.kill(m._process)
    try:
        d['a']
    except Exception as exc:
        exc.args = (str(exc) + ' (%s)' % _later_call(lambda: d.get('a')),)
        raise
    return 'the call returned'


def manager_lock_holder_killed(p):
    """A client holding a manager Lock dies; acquire(timeout=2) after it."""
    m = p.ctx.Manager()
    p.defer(_shutdown, m)
    lock = m.Lock()
    started = p.ctx.Event()
    proc = p.start(hold_lock, lock, started)
    if not started.wait(10):
        raise AssertionError('set-up: holder did not start')
    p.kill(proc)
    got = lock.acquire(timeout=2)
    return 'acquire(timeout=2) returned %s' % got


def _pool(p, n=2):
    pool = p.ctx.Pool(n)
    p.defer(pool.join)
    p.defer(pool.terminate)
    return pool


def pool_worker_killed_mid_task(p):
    """A worker dies while running a task; get() of that result."""
    pool = _pool(p)
    r = pool.apply_async(task_report_then_sleep, (p.path('pid'),))
    p.kill(read_pid(p.path('pid')))
    try:
        r.get()
    finally:
        p.fault_time, t = time.monotonic(), p.fault_time
        after = pool.apply_async(square, (3,)).get(10)
        p.fault_time = t
        assert after == 9, after
    return 'get returned'


def pool_worker_killed_mid_result(p):
    """A worker dies while writing a 32 MiB result; get(), then the pool
    must still work."""
    pool = _pool(p)
    r = pool.apply_async(task_big_result, (p.path('pid'),))
    read_pid(p.path('pid'))
    p.fault()
    try:
        r.get()
    finally:
        t = p.fault_time
        after = pool.apply_async(square, (3,)).get(10)
        p.fault_time = t
        assert after == 9, after
    return 'get returned'


def pool_worker_killed_taking_task(p):
    """A worker dies unpickling the task it just took off the queue."""
    pool = _pool(p)
    pool.apply(square, (1,))        # workers are up
    p.fault()
    r = pool.apply_async(task_noop, (DiesWhenUnpickled(),))
    try:
        r.get()
    finally:
        t = p.fault_time
        after = pool.apply_async(square, (3,)).get(10)
        p.fault_time = t
        assert after == 9, after
    return 'get returned'


def barrier_party_killed(p):
    """One of two parties dies before wait(); the other waits (timeout 2 s)."""
    b = p.ctx.Barrier(2)
    proc = p.start(sleep_holding, b)
    time.sleep(0.2)
    p.kill(proc)
    b.wait(timeout=2)
    return 'wait returned'


def condition_waiter_killed(p):
    """A waiter dies inside cond.wait(); notify() must not wait for it."""
    cond = p.ctx.Condition()
    started = p.ctx.Event()
    proc = p.start(wait_on_condition, cond, started)
    if not started.wait(10):
        raise AssertionError('set-up: waiter did not start')
    time.sleep(0.2)
    p.kill(proc)
    with cond:
        cond.notify()
    with cond:
        woken = cond.wait(timeout=0.2)
    return 'notify returned (wait after: %s)' % woken


def event_setter_killed(p):
    """The process that would set an Event dies first; wait(timeout=2)."""
    e = p.ctx.Event()
    proc = p.start(set_later, e, 30)
    time.sleep(0.2)
    p.kill(proc)
    return 'wait(timeout=2) returned %s' % e.wait(timeout=2)


# -- SIGINT to the process group (matrix.py sends it after READY) ----------

def sigint_pool_map(p):
    with p.ctx.Pool(2) as pool:
        pool.map(slow_square, [1])          # workers up
        p.ready()
        pool.map(sleep_task, range(4))


def sigint_queue_get(p):
    q = p.ctx.Queue()
    p.start(sleep_holding, q, daemon=False)
    p.ready()
    q.get()


def sigint_process_join(p):
    proc = p.start(sleep_holding, daemon=False)
    p.ready()
    proc.join()


def sigint_manager_call(p):
    with p.ctx.Manager() as m:
        q = m.Queue()
        p.ready()
        q.get()


# -- resource exhaustion -------------------------------------------------

def _until_emfile(p, make, close, limit=64):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    made = []
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    try:
        err = None
        for _ in range(200):
            try:
                made.append(make())
            except OSError as exc:
                err = exc
                break
    finally:
        for obj in made:
            close(obj)
        gc.collect()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if err is None:
        raise AssertionError('set-up: the limit was never reached')
    again = make()       # the program carries on once descriptors are free
    close(again)
    return '%s(errno %s) after %d; then one more worked' % (
        type(err).__name__, err.errno, len(made))


def _close_pair(pair):
    for c in pair:
        c.close()


def nofile_pipes(p):
    """RLIMIT_NOFILE=64: make Pipes until it fails, close them, make one."""
    return _until_emfile(p, p.ctx.Pipe, _close_pair)


def nofile_queues(p):
    def make():
        q = p.ctx.Queue()
        q.put(1)
        q.get(timeout=5)
        return q
    return _until_emfile(p, make, _close_queue)


def _close_pool(pool):
    pool.terminate()
    pool.join()


def nofile_pools(p):
    return _until_emfile(p, lambda: p.ctx.Pool(2), _close_pool, limit=96)


def _shm_module(p):
    import importlib
    return importlib.import_module(p.impl.__name__ + '.shared_memory')


def _fill(buf):
    # one byte per page is enough: it is the first touch that needs a page
    buf[::4096] = b'\1' * len(range(0, len(buf), 4096))


def _one_more_block(p, size=256 * 1024):
    seg = _shm_module(p).SharedMemory(create=True, size=size)
    _fill(seg.buf)
    seg.close()
    seg.unlink()


def shm_full(p):
    """A SharedMemory of 4 MiB on a 1 MiB /dev/shm, written to; then 256 KiB."""
    mod = _shm_module(p)
    p.fault()
    try:
        seg = mod.SharedMemory(create=True, size=4 * SMALL_SHM)
    except OSError as exc:
        err = exc
    else:
        p.defer(seg.unlink)
        p.defer(seg.close)
        _fill(seg.buf)      # no room for the pages: SIGBUS on Linux
        return 'created and written (the tmpfs was not full?)'
    left = [f for f in os.listdir('/dev/shm') if f.startswith('psm_')]
    if left:
        raise AssertionError('half-made block left: %s' % left)
    _one_more_block(p)
    return '%s(errno %s) at creation; then a 256 KiB block worked' % (
        type(err).__name__, err.errno)


def shm_fill_up(p):
    """128 KiB blocks, each written to, until /dev/shm (1 MiB) is full."""
    mod = _shm_module(p)
    made, err = [], None
    p.fault()
    for _ in range(64):
        try:
            seg = mod.SharedMemory(create=True, size=128 * 1024)
        except OSError as exc:
            err = exc
            break
        made.append(seg)
        _fill(seg.buf)
    on_disk = len([f for f in os.listdir('/dev/shm') if f.startswith('psm_')])
    for seg in made:
        seg.close()
        seg.unlink()
    if err is None:
        raise AssertionError('set-up: /dev/shm never filled up')
    if on_disk != len(made):
        raise AssertionError('%d blocks made, %d in /dev/shm' % (len(made), on_disk))
    _one_more_block(p)
    return '%s(errno %s) after %d blocks; then one more worked' % (
        type(err).__name__, err.errno, len(made))


def add_and_check(value, array):
    with value.get_lock():
        value.value += sum(array)


def shm_full_value_array(p):
    """/dev/shm filled to the last byte, then Value, Array, RawArray, a child."""
    _fill_dev_shm(p)
    p.fault()
    big = p.ctx.RawArray('b', 2 * SMALL_SHM)       # twice the whole /dev/shm
    big[:] = b'\1' * len(big)
    value = p.ctx.Value('i', 0)
    array = p.ctx.Array('i', range(10))
    child = p.start(add_and_check, value, array)
    child.join(5)
    if value.value != 45 or sum(big) != len(big):
        raise AssertionError('child saw %s' % value.value)
    return 'Value, Array and a 2 MiB RawArray worked, child exit %s' % child.exitcode


def _fill_dev_shm(p):
    filler = '/dev/shm/teachmp-filler'
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    p.defer(os.unlink, filler)
    try:
        while True:
            os.write(fd, bytes(4096))
    except OSError:
        pass            # ENOSPC: full
    finally:
        os.close(fd)


def shm_full_after_arena(p):
    """RawArrays of 4000 bytes; /dev/shm fills up between two of them.

    The stdlib puts a heap arena in /dev/shm when statvfs says it fits, but
    the arena's pages are only taken as blocks are handed out: if /dev/shm
    fills up in between (another program, a SharedMemory block), the next
    block in that arena has no page.
    """
    arrays = []
    # arenas double in size in the stdlib (4 KiB, 8 KiB, ...): 128 arrays
    # fill those up to 256 KiB, the 129th starts a 512 KiB one, nearly empty
    for _ in range(129):
        arrays.append(p.ctx.RawArray('b', 4000))
    _fill_dev_shm(p)
    p.fault()
    for _ in range(16):
        arr = p.ctx.RawArray('b', 4000)     # zero-filled: every page touched
        arr[-1] = 1
        arrays.append(arr)
    return '%d arrays of 4000 bytes after /dev/shm filled up' % 16


# -- RLIMIT_NPROC: a user of its own, a few processes allowed ---------------

def _nproc_limit(p, extra):
    """Allow ``extra`` more tasks than this user has now; return the undo.

    The kernel checks the user's task count against the limit of the
    process that forks, so every process of this user gets the limit: a
    fork server started earlier forks the children of ``forkserver``.
    """
    import isolation
    uid = os.getuid()
    pids = isolation.pids_of(uid)
    limit = isolation.nproc_in_use(uid) + extra
    before = {}
    for pid in pids:
        try:
            before[pid] = resource.prlimit(pid, resource.RLIMIT_NPROC)
            resource.prlimit(pid, resource.RLIMIT_NPROC, (limit, before[pid][1]))
        except (ProcessLookupError, PermissionError):
            pass

    def undo():
        for pid, old in before.items():
            try:
                resource.prlimit(pid, resource.RLIMIT_NPROC, old)
            except (ProcessLookupError, PermissionError):
                pass
    return undo


def _warm_up(p):
    # the helpers a start method needs (fork server, resource tracker) are
    # started before the limit: it is the program's own processes that fail
    child = p.ctx.Process(target=task_noop)
    child.start()
    child.join(5)


def nproc_processes(p):
    """Start Processes until start() fails; stop them; start one more."""
    _warm_up(p)
    undo = _nproc_limit(p, 3)
    started, err = [], None
    p.fault()
    try:
        for _ in range(20):
            proc = p.ctx.Process(target=sleep_holding, daemon=True)
            try:
                proc.start()
            except OSError as exc:
                err = exc
                break
            started.append(proc)
    finally:
        for proc in started:
            proc.kill()
            proc.join(5)
        undo()
    if err is None:
        raise AssertionError('set-up: start() never failed')
    again = p.start(task_noop)
    again.join(5)
    return '%s(errno %s) after %d started; then one more ran (exit %s)' % (
        type(err).__name__, err.errno, len(started), again.exitcode)


def nproc_pool(p):
    """Pool(4) with room for 2 more tasks; then, limit lifted, Pool(2).map."""
    _warm_up(p)
    undo = _nproc_limit(p, 2)
    p.fault()
    try:
        pool = p.ctx.Pool(4)
    except OSError as exc:
        err = exc
    else:
        _close_pool(pool)
        raise AssertionError('set-up: Pool(4) started')
    finally:
        undo()
    pool = p.ctx.Pool(2)
    try:
        out = pool.map(square, range(4), chunksize=1)
    finally:
        _close_pool(pool)
    return '%s(errno %s) from Pool(4); then Pool(2).map gave %s' % (
        type(err).__name__, err.errno, out)


def nproc_pool_threads(p):
    """Pool(4) with room for its 4 workers but not for its handler threads."""
    _warm_up(p)
    undo = _nproc_limit(p, 4)       # threads count against RLIMIT_NPROC too
    p.fault()
    try:
        pool = p.ctx.Pool(4)
    except RuntimeError as exc:     # "can't start new thread"
        err = exc
    else:
        _close_pool(pool)
        raise AssertionError('set-up: Pool(4) started')
    finally:
        undo()
    gc.collect()
    pool = p.ctx.Pool(2)
    try:
        out = pool.map(square, range(4), chunksize=1)
    finally:
        _close_pool(pool)
    return '%s(%s) from Pool(4); then Pool(2).map gave %s' % (type(err).__name__, err, out)


def nproc_manager(p):
    """Manager() when not one more process may start; then one that can."""
    _warm_up(p)
    undo = _nproc_limit(p, 0)
    p.fault()
    try:
        m = p.ctx.Manager()
    except OSError as exc:
        err = exc
    else:
        _shutdown(m)
        raise AssertionError('set-up: Manager() started')
    finally:
        undo()
    m = p.ctx.Manager()
    try:
        d = m.dict(a=1)
        got = d['a']
    finally:
        _shutdown(m)
    return '%s(errno %s) from Manager(); then a manager answered %s' % (
        type(err).__name__, err.errno, got)


# -- EINTR: SIGALRM every millisecond during each blocking call ------------

def _with_alarms(p, call):
    count = [0]

    def handler(signum, frame):
        count[0] += 1
    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
    try:
        result = call()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, old)
    if count[0] < 10:
        raise AssertionError('set-up: only %d alarms' % count[0])
    return '%r after %d signals' % (result, count[0])


def eintr_pipe_recv(p):
    ours, theirs = p.ctx.Pipe()
    p.defer(ours.close)
    p.start(send_later, theirs, 'late', 0.3)
    theirs.close()
    return _with_alarms(p, ours.recv)


def eintr_queue_get(p):
    q = p.ctx.Queue()
    p.defer(_close_queue, q)
    p.start(put_later, q, 'late', 0.3)
    return _with_alarms(p, lambda: q.get(timeout=10))


def eintr_lock_acquire(p):
    lock = p.ctx.Lock()
    lock.acquire()
    t = threading.Timer(0.3, lock.release)
    t.start()
    p.defer(t.join)
    return _with_alarms(p, lambda: lock.acquire(timeout=10))


def eintr_process_join(p):
    proc = p.start(time.sleep, 0.3)
    return _with_alarms(p, lambda: (proc.join(10), proc.exitcode)[1])


def eintr_pool_map(p):
    pool = _pool(p)
    return _with_alarms(p, lambda: sum(pool.map(slow_square, range(10))))


def eintr_manager_call(p):
    m = p.ctx.Manager()
    p.defer(_shutdown, m)
    q = m.Queue()
    t = threading.Timer(0.3, q.put, args=('late',))
    t.start()
    p.defer(t.join)
    return _with_alarms(p, lambda: q.get(timeout=10))


def eintr_condition_wait(p):
    cond = p.ctx.Condition()
    p.start(notify_later, cond, 0.3)

    def call():
        with cond:
            return cond.wait(timeout=10)
    return _with_alarms(p, call)


# -- garbage collection ---------------------------------------------------

def gc_pool(p):
    pool = p.ctx.Pool(2)
    pool.map(square, range(4))
    del pool
    gc.collect()
    return 'dropped'


def gc_queue(p):
    q = p.ctx.Queue()
    q.put('x')
    q.get(timeout=5)
    del q
    gc.collect()
    return 'dropped'


def gc_manager(p):
    m = p.ctx.Manager()
    m.dict()['a'] = 1
    del m
    gc.collect()
    return 'dropped'


def gc_listener(p):
    import importlib
    connection = importlib.import_module(p.impl.__name__ + '.connection')
    listener = connection.Listener(family='AF_UNIX')
    address = listener.address
    del listener
    gc.collect()
    return 'dropped (socket file %s)' % ('left' if os.path.exists(address) else 'removed')


SCENARIOS = {f.__name__: f for f in (
    pipe_sender_killed, pipe_receiver_killed,
    queue_producer_killed, queue_consumer_killed, queue_consumer_killed_mid_message,
    manager_killed_during_call, manager_killed_between_calls,
    manager_lock_holder_killed,
    pool_worker_killed_mid_task, pool_worker_killed_mid_result,
    pool_worker_killed_taking_task,
    barrier_party_killed, condition_waiter_killed, event_setter_killed,
    sigint_pool_map, sigint_queue_get, sigint_process_join, sigint_manager_call,
    nofile_pipes, nofile_queues, nofile_pools,
    shm_full, shm_fill_up, shm_full_value_array, shm_full_after_arena,
    nproc_processes, nproc_pool, nproc_pool_threads, nproc_manager,
    eintr_pipe_recv, eintr_queue_get, eintr_lock_acquire, eintr_process_join,
    eintr_pool_map, eintr_manager_call, eintr_condition_wait,
    gc_pool, gc_queue, gc_manager, gc_listener,
)}
