"""Functions that the queue and pool tests run in child processes.

They live in an importable module (not in the test files) so that a child
started with ``spawn``, or a pool worker, finds them by name.  Every blocking
call in a child has a timeout; what a child saw comes back as plain data.
"""

import itertools
import os
import signal
import threading

from support import TIMEOUT

BIG = 64 * 1024          # one item this size already fills a Linux pipe


# -- queue children ---------------------------------------------------------------


def put_range(q, n):
    """Put 0..n-1 and return: the process's exit must flush them."""
    for i in range(n):
        q.put(i)


def put_big_then_signal(q, n, done, cancel=False):
    """Put n big items, optionally cancel_join_thread, then set ``done``.

    The items cannot all fit in the pipe, so after ``done`` the process is
    stuck in its exit flush until somebody reads (unless ``cancel``).
    """
    for i in range(n):
        q.put((i, b'x' * BIG))
    if cancel:
        q.cancel_join_thread()
    done.set()


def put_huge_and_wait(q, size):
    """Put one item far bigger than a pipe, then sleep: the feeder blocks
    half-way through writing it, holding the write lock (killed there)."""
    q.put(b'x' * size)
    threading.Event().wait(TIMEOUT)


def get_and_report(q):
    """One get(); killed by the test while it reads a big item."""
    q.get(timeout=TIMEOUT)


def take_lock_without_note(q, which):
    """Take one of a teachmp Queue's locks the way a process killed right
    after acquiring it would leave it: held, and no note naming a holder."""
    getattr(q, which).lock.acquire()
    os._exit(0)


def echo_squares(inq, outq):
    """Read numbers until None; put each square on ``outq``."""
    while True:
        x = inq.get(timeout=TIMEOUT)
        if x is None:
            break
        outq.put(x * x)


def simple_echo(inq, outq):
    """SimpleQueue: read until None, echo each item back tagged."""
    while True:
        x = inq.get()
        if x is None:
            break
        outq.put(('echo', x))


def joinable_consumer(jq, outq, n):
    """Take n items from a JoinableQueue, report each, mark each done."""
    for _ in range(n):
        x = jq.get(timeout=TIMEOUT)
        outq.put(x)
        jq.task_done()


# -- pool tasks -----------------------------------------------------------------------


def square(x):
    return x * x


def add(a, b):
    return a + b


def inverse(x):
    return 10 / x


def fail_with_value_error(x):
    raise ValueError('bad value %r' % (x,))


def return_unpicklable(x):
    return threading.Lock()


def getpid(_=None):
    return os.getpid()


def process_name(modname):
    """The current process's name, as the library ``modname`` sees it."""
    import importlib
    return importlib.import_module(modname).current_process().name


def wait_event(event, timeout=TIMEOUT):
    """Block until ``event`` is set (used to hold a result back)."""
    return event.wait(timeout)


_initialized = None


def init_worker(*args):
    global _initialized
    _initialized = args


def get_initialized(_=None):
    return _initialized


# A callable whose every unpickled copy carries a fresh tag: the pool pickles
# ``func`` once per task (one chunk), so the tag tells which chunk an item
# was in.  Chunk boundaries become visible without timing or pids.

_copies = itertools.count()


def _new_tagger():
    tagger = ChunkTagger()
    tagger.tag = (os.getpid(), next(_copies))
    return tagger


class ChunkTagger:
    tag = None

    def __reduce__(self):
        return _new_tagger, ()

    def __call__(self, x):
        return (self.tag, x)


def chunk_sizes(tagged):
    """[(tag, x), ...] in result order -> the sizes of runs of equal tags."""
    return [len(list(run)) for _, run in itertools.groupby(tagged, key=lambda t: t[0])]


# -- worker death (teachmp only) ----------------------------------------------------


def exit_now(code):
    os._exit(code)


def sigkill_self(_=None):
    os.kill(os.getpid(), signal.SIGKILL)


def square_or_die(x):
    """x*x, except that a negative x kills the worker with exit code -x."""
    if x < 0:
        os._exit(-x)
    return x * x


# -- the shared pool's initializer: a tag and a gate -------------------------------

_tag = None
_gate = None


def init_gate(tag, gate):
    """Pool initializer: remember a tag and an Event that holds tasks back."""
    global _tag, _gate
    _tag, _gate = tag, gate


def get_tag(_=None):
    return _tag


def wait_gate(value):
    """Return ``value`` once the gate (an Event from initargs) is set."""
    if not _gate.wait(TIMEOUT):
        raise RuntimeError('gate never opened')
    return value


def pid_and_init(_=None):
    return os.getpid(), _initialized


def big_result(n):
    """A result of n bytes: long enough to kill its sender mid-write."""
    return b'x' * n


def put_tagged(q, tag, n):
    """Put (tag, 0) .. (tag, n-1): one producer among several."""
    for i in range(n):
        q.put((tag, i))


_queue = None


def init_queue(q):
    """Pool initializer: keep a Queue received at process creation."""
    global _queue
    _queue = q


def put_on_init_queue(x):
    _queue.put(x * 10)
    return x


def sleep_square(x, delay):
    """x * x after ``delay`` seconds: a task that keeps its worker busy."""
    import time
    time.sleep(delay)
    return x * x


# -- a context whose Process.start fails ------------------------------------------
#
# Pool(...) with a worker that cannot be started (fork failing with EAGAIN,
# say).  The process classes are module-level, so that a spawned child finds
# them by name; the count of start() calls lives in the parent only.


class _FailingStart:
    starts = 0
    fail_on = 3

    def start(self):
        type(self).starts += 1
        if type(self).starts == type(self).fail_on:
            raise OSError(11, 'simulated: fork failed (Resource temporarily unavailable)')
        return super().start()


def _failing_classes():
    import multiprocessing
    import teachmp
    made = {}
    for modname, module in (('teachmp', teachmp), ('stdlib', multiprocessing)):
        for method in ('fork', 'spawn', 'forkserver'):
            ctx = module.get_context(method)
            name = 'FailingProcess_%s_%s' % (modname, method)
            proc = type(name, (_FailingStart, ctx.Process), {})
            proc.__module__ = __name__
            made[name] = proc
            cname = 'FailingContext_%s_%s' % (modname, method)
            made[cname] = type(cname, (type(ctx),), {'Process': proc})
    return made


globals().update(_failing_classes())


def failing_start_context(modname, method, fail_on=3):
    """A context like get_context(method) whose Process.start raises
    OSError on its ``fail_on``-th call."""
    proc = globals()['FailingProcess_%s_%s' % (modname, method)]
    proc.starts, proc.fail_on = 0, fail_on
    return globals()['FailingContext_%s_%s' % (modname, method)](), proc
