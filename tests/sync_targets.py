"""Functions that the synchronization and shared-memory tests run in child
processes (and a ctypes Structure they share).

They live in an importable module, not in the test files, so that a child
started with ``spawn`` finds them by name.  Every blocking call has a
timeout; a child reports what it saw through a Connection as plain data
(strings, numbers, tuples), never by raising, so the parent can assert on it.
"""

import ctypes
import importlib
from threading import BrokenBarrierError

from support import TIMEOUT


class Point(ctypes.Structure):
    _fields_ = [('x', ctypes.c_double), ('y', ctypes.c_double)]


def outcome(func, *args, **kwargs):
    """('ok', result) or ('exc', exception type name, message)."""
    try:
        return ('ok', func(*args, **kwargs))
    except BaseException as exc:  # noqa: BLE001 -- reported, not swallowed
        return ('exc', type(exc).__name__, str(exc))


def _wait_go(conn):
    if not conn.poll(TIMEOUT):
        raise RuntimeError('the parent never said go')
    return conn.recv()


# -- locks and semaphores ------------------------------------------------------


def hold_lock_until_told(lock, conn):
    """Take *lock*, report ('held', repr seen here), release when told."""
    if not lock.acquire(timeout=TIMEOUT):
        conn.send('could not acquire')
        return
    conn.send(('held', repr(lock)))
    _wait_go(conn)
    lock.release()
    conn.send('released')


def try_acquire(lock, conn, block=True, timeout=None):
    """Report the result of ``lock.acquire(block, timeout)`` (and undo it)."""
    got = lock.acquire(block, timeout)
    conn.send(got)
    if got:
        lock.release()


def try_release(lock, conn):
    """Report what ``lock.release()`` does in this process."""
    conn.send(outcome(lock.release))


def report_repr(obj, conn):
    conn.send(repr(obj))


def rlock_foreign_checks(rlock, conn):
    """Things a process that does not own a held RLock may (not) do."""
    conn.send(
        {
            'repr': repr(rlock),
            'acquire_nonblocking': rlock.acquire(False),
            'acquire_timeout': rlock.acquire(timeout=0.05),
            'release': outcome(rlock.release),
        }
    )


def semaphore_wait(sem, conn):
    """Say 'waiting', then report acquire(timeout) and the value after it."""
    conn.send('waiting')
    got = sem.acquire(timeout=TIMEOUT)
    conn.send((got, sem.get_value()))


def release_times(sem, n, conn):
    """Release *sem* n times; report each outcome."""
    conn.send([outcome(sem.release) for _ in range(n)])


# -- conditions, events, barriers -----------------------------------------------


def condition_waiter(cond, conn, timeout=TIMEOUT):
    """Hold the lock while saying 'ready' (so the parent can only get it once
    we are inside wait()), then report what wait() returned."""
    with cond:
        conn.send('ready')
        result = cond.wait(timeout)
        conn.send(('woke', result))


def condition_wait_for(cond, value, target, conn, timeout=TIMEOUT):
    """wait_for(value.value == target); report the result and how often the
    predicate was evaluated."""
    calls = []

    def predicate():
        calls.append(value.value)
        return value.value == target

    with cond:
        conn.send('ready')
        result = cond.wait_for(predicate, timeout)
        conn.send((result, value.value, len(calls)))


def condition_misuse(cond, conn):
    """wait() and notify() without holding the lock."""
    conn.send((outcome(cond.wait, 0.01), outcome(cond.notify)))


def event_waiter(event, conn, timeout=TIMEOUT):
    conn.send(('ready', event.is_set()))
    conn.send(event.wait(timeout))


def event_setter(event, conn):
    event.set()
    conn.send(event.is_set())


def event_report(event, conn):
    conn.send(event.is_set())


def barrier_waiter(barrier, conn, cycles=1, timeout=TIMEOUT):
    """Pass *barrier* ``cycles`` times; report the indices (or 'broken')."""
    indices = []
    for _ in range(cycles):
        try:
            indices.append(barrier.wait(timeout))
        except BrokenBarrierError:
            indices.append('broken')
            break
    conn.send(indices)


def barrier_report(barrier, conn):
    conn.send((barrier.parties, barrier.n_waiting, barrier.broken))


def add_to_value(value, amount):
    """A barrier action: add *amount* to a shared value (under its lock)."""
    with value.get_lock():
        value.value += amount


def barrier_cycles_quiet(barrier, cycles, conn):
    """Stress helper: pass the barrier many times, report 'ok' or the error."""
    done = 0
    try:
        for _ in range(cycles):
            barrier.wait(TIMEOUT)
            done += 1
        conn.send(('ok', done))
    except BrokenBarrierError:
        conn.send(('broken', done))


# -- shared ctypes -------------------------------------------------------------------


def locked_increments(value, n, gate=None):
    """Stress helper: n increments of value.value, each under its lock
    (after *gate*, an Event, is set: so that all workers run at once)."""
    if gate is not None and not gate.wait(TIMEOUT):
        raise RuntimeError('the gate never opened')
    for _ in range(n):
        with value.get_lock():
            value.value += 1


def modify_shared(n, x, s, points, raw_v, raw_a, conn):
    """Change every kind of shared object; the parent checks it sees it."""
    n.value **= 2
    x.value **= 2
    s.value = s.value.upper()
    for p in points:
        p.x **= 2
        p.y = -p.y
    raw_v.value = 2.5
    raw_a[:] = [v * 10 for v in raw_a[:]]
    conn.send('done')


def negate_array(arr, conn):
    with arr.get_lock():
        for i in range(len(arr)):
            arr[i] = -arr[i]
    conn.send(arr[:])


def set_many(values, conn):
    for i, v in enumerate(values):
        v.value = 1000 + i
    conn.send('done')


def lock_of_value_busy(value, conn):
    """Report whether the value's lock is free in this process."""
    got = value.get_lock().acquire(False)
    if got:
        value.get_lock().release()
    conn.send(got)


def allocate_in_child(modname, existing, conn):
    """Make new shared values in the child and write them; this must not
    change the parent's *existing* values (a forked child allocates from
    memory of its own, not from the arena its parent is carving up)."""
    mod = importlib.import_module(modname)
    fresh = [mod.Value('i', -1) for _ in range(len(existing) + 10)]
    for f in fresh:
        f.value = -99
    conn.send([v.value for v in existing])


def write_struct(point_value, conn):
    point_value.x = 7.5
    point_value.y = -1.25
    conn.send((point_value.x, point_value.y))


# -- named shared memory ------------------------------------------------------------


def write_shm_by_name(modname, name, data, conn):
    """Attach to the block *name* with *modname*'s SharedMemory, write data
    at offset 0, close the handle (never unlink)."""
    shared_memory = importlib.import_module(modname + '.shared_memory')
    shm = shared_memory.SharedMemory(name)
    try:
        before = bytes(shm.buf[: len(data)])
        shm.buf[: len(data)] = data
        conn.send((before, shm.size))
    finally:
        shm.close()


def write_shm_object(shm, data, conn):
    """Write through a SharedMemory that was passed as a Process argument."""
    shm.buf[: len(data)] = data
    conn.send(shm.name)
    shm.close()


def set_shareable_item(modname, name, index, value, conn):
    shared_memory = importlib.import_module(modname + '.shared_memory')
    sl = shared_memory.ShareableList(name=name)
    try:
        sl[index] = value
        conn.send(list(sl))
    finally:
        sl.shm.close()


def create_shm_and_exit(modname, name, data, conn):
    """Create the named block *name*, write data, close it and exit without
    unlinking: the block must outlive this process."""
    shared_memory = importlib.import_module(modname + '.shared_memory')
    shm = shared_memory.SharedMemory(name, create=True, size=len(data))
    shm.buf[: len(data)] = data
    conn.send(shm.name)
    shm.close()


def semaphore_worker(sem, guard, inside, most, rounds):
    """Stress helper: enter the semaphore *rounds* times; record the largest
    number of processes seen inside at once (guard protects the counts)."""
    for _ in range(rounds):
        if not sem.acquire(timeout=TIMEOUT):
            raise RuntimeError('semaphore never available')
        try:
            with guard:
                inside.value += 1
                most.value = max(most.value, inside.value)
            with guard:
                inside.value -= 1
        finally:
            sem.release()


def pass_to_grandchild(modname, method, lock, value, conn):
    """Start a grandchild (same library and start method) that sets *value*
    under *lock*; report the value seen afterwards."""
    mod = importlib.import_module(modname)
    ctx = mod.get_context(method)
    p = ctx.Process(target=set_value_locked, args=(lock, value, 99))
    p.start()
    p.join(TIMEOUT)
    conn.send((p.exitcode, value.value))


def set_value_locked(lock, value, new):
    with lock:
        value.value = new


def hold_until_killed(lock, conn):
    """Take *lock*, say so, and wait to be killed."""
    lock.acquire()
    conn.send('held')
    conn.poll(TIMEOUT)


# -- stress: a bounded buffer and an event ping-pong ------------------------------------

BUFFER_SLOTS = 8


def produce(cond, state, slots, items):
    """Put each of *items* into the ring buffer (state = [head, tail, count])."""
    for item in items:
        with cond:
            if not cond.wait_for(lambda: state[2] < BUFFER_SLOTS, TIMEOUT):
                raise RuntimeError('buffer never had room')
            slots[state[1]] = item
            state[1] = (state[1] + 1) % BUFFER_SLOTS
            state[2] += 1
            cond.notify_all()


def consume(cond, state, slots, n, conn):
    """Take n items from the ring buffer; report their sum and count."""
    total = 0
    for _ in range(n):
        with cond:
            if not cond.wait_for(lambda: state[2] > 0, TIMEOUT):
                raise RuntimeError('nothing ever arrived')
            total += slots[state[0]]
            state[0] = (state[0] + 1) % BUFFER_SLOTS
            state[2] -= 1
            cond.notify_all()
    conn.send((total, n))


def pong(ping, pong_event, rounds, conn):
    """Answer each ping with a pong."""
    for _ in range(rounds):
        if not ping.wait(TIMEOUT):
            conn.send('no ping')
            return
        ping.clear()
        pong_event.set()
    conn.send('done')
