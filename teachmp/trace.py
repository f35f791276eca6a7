"""Recording who waits on what: an opt-in trace of every blocking point.

A multiprocessing program is hard to picture: several processes, each with
threads, each sitting in ``recv()`` or ``acquire()`` or ``join()`` at some
moment.  This module records those moments so that ``teachmp.trace_draw``
can draw them as a timeline (one lane per process, threads as sub-lanes,
blocked spans shaded, arrows from a send to its receive and from a release to
the acquire it let through).

How it records
--------------
Nothing here runs unless tracing is switched on, and switching it on is the
only thing that touches the rest of teachmp: ``install()`` *wraps* a list of
methods (``Connection._send_bytes``, ``SemLock.acquire``,
``BaseProcess.join``, ...) in place, so the code the chapters show stays the
plain code, and a program that does not trace pays nothing -- not even an
``if``.  The list is ``_HOOKS`` below: one line per blocking point.  What
each event writes down about its call (which pipe, which lock, which child)
comes from ``teachmp.trace_args``, since those fields are what
``teachmp.trace_analysis`` reads back.

Every process of the program tree appends to one file, opened with
``O_APPEND``: each event is one JSON line written by a single ``write()``,
so lines from different processes never interleave, and a process killed
with SIGKILL loses nothing it had already written (an event is on disk
before the call it describes returns).  A wait that never ended is a begin
record ("B") without its end ("E"): exactly what the deadlock view needs.

Timestamps are ``time.monotonic_ns()``: on Linux that clock is the same for
every process of the machine, so events of different processes can be put
on one time axis.

Switching it on
---------------
* ``python -m teachmp trace [-o OUT] script.py``  (an unmodified program);
* ``TEACHMP_TRACE=path`` in the environment of any teachmp program;
* ``with teachmp.trace.recording(path):`` around a piece of code.

Fork children inherit the wrapped methods; spawned children (new
interpreters) see ``TEACHMP_TRACE`` in their environment and install the
hooks when they import teachmp.  ``trace_analysis.load(path)`` turns the
lines into Chrome Trace Event JSON (``to_chrome``), which Perfetto's UI and
``chrome://tracing`` open as it is.
"""

import contextlib
import functools
import json
import os
import threading
import time

from teachmp import trace_args

ENV = 'TEACHMP_TRACE'

ROOT_ENV = 'TEACHMP_TRACE_ROOT'   # pid of the process that began the trace

_state = {'path': None, 'fd': None, 'pid': None}
_open_lock = threading.Lock()
_installed = []                  # (owner, attribute, original) to undo
_local = threading.local()       # per thread: the spans open right now


# -- writing events ------------------------------------------------------------

def _fd():
    # One descriptor per process: a forked child must not share its parent's
    # (the parent may close it), so a new pid opens the file again.
    pid = os.getpid()
    if _state['pid'] != pid:
        with _open_lock:
            if _state['pid'] != pid:
                _state['fd'] = os.open(
                    _state['path'],
                    os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
                _state['pid'] = pid
    return _state['fd']


def emit(ph, name, cat, /, **args):
    """Append one event: ``ph`` is 'B' (begin), 'E' (end) or 'i' (instant)."""
    if _state['path'] is None:
        return
    thread = threading.current_thread()
    record = {'ts': time.monotonic_ns(), 'pid': os.getpid(),
              'tid': threading.get_ident(), 'thread': thread.name,
              'ph': ph, 'name': name, 'cat': cat}
    if args:
        record['args'] = args
    line = json.dumps(record, default=repr, separators=(',', ':')) + '\n'
    try:
        os.write(_fd(), line.encode())
    except OSError:
        pass        # tracing must never break the program it watches


def _forget_spans():
    # A forked child starts with a copy of the parent's thread-local state,
    # including the spans open in the thread that called fork (start() is
    # one of them): they are the parent's, not the child's.
    _local.spans = set()


os.register_at_fork(after_in_child=_forget_spans)


def _open_spans():
    spans = getattr(_local, 'spans', None)
    if spans is None:
        spans = _local.spans = set()
    return spans


def _span(name, cat, describe=None, result=None, guard=True):
    """Wrap a method so that each call is a begin/end pair of events.

    ``describe(self, *args)`` gives the begin event's arguments (which
    connection, which lock); ``result(self, value)`` the end event's.  With
    ``guard``, a call made while the same object already has a span of the
    same category open on this thread (RLock.acquire calling
    SemLock.acquire, say) records nothing more.
    """
    def wrap(original):
        @functools.wraps(original)
        def traced(self, *a, **k):
            key = (id(self), name)
            spans = _open_spans()
            if guard and key in spans:
                return original(self, *a, **k)
            spans.add(key)
            try:
                emit('B', name, cat, **(describe(self, *a, **k) if describe else {}))
                try:
                    value = original(self, *a, **k)
                except BaseException as e:
                    emit('E', name, cat, error=type(e).__name__)
                    raise
                emit('E', name, cat, **(result(self, value) if result else {}))
                return value
            finally:
                spans.discard(key)
        return traced
    return wrap


def _instant(name, cat, describe=None, before=True):
    """Wrap a method so that each call leaves one instant event."""
    def wrap(original):
        @functools.wraps(original)
        def traced(self, *a, **k):
            if before:
                emit('i', name, cat, **(describe(self, *a, **k) if describe else {}))
                return original(self, *a, **k)
            value = original(self, *a, **k)
            emit('i', name, cat, **(describe(self, *a, **k) if describe else {}))
            return value
        return traced
    return wrap


def _reaped(original):
    """Popen.poll: one instant event when the exit status is first collected."""
    @functools.wraps(original)
    def traced(self, *a, **k):
        before = self.returncode
        value = original(self, *a, **k)
        if before is None and value is not None:
            emit('i', 'reaped', 'process', child=self.pid, exitcode=value)
        return value
    return traced


# -- the blocking points ------------------------------------------------------

# Each blocking point: (module, class, method, how to wrap it); what each
# event says about the call is a function of teachmp.trace_args.  A name that
# does not exist (an older or newer teachmp) is skipped.
_HOOKS = [
    ('teachmp.connection', 'Connection', '_send_bytes',
     _span('send', 'pipe', trace_args.sent)),
    ('teachmp.connection', 'Connection', '_recv_bytes',
     _span('recv', 'pipe', trace_args.conn, trace_args.received)),
    ('teachmp.synchronize', 'SemLock', '_setup',
     _instant('lock created', 'lock', trace_args.lock_created, before=False)),
    ('teachmp.synchronize', 'SemLock', 'acquire',
     _span('acquire', 'lock', trace_args.lock, trace_args.acquired)),
    ('teachmp.synchronize', 'RLock', 'acquire',
     _span('acquire', 'lock', trace_args.lock, trace_args.acquired)),
    ('teachmp.synchronize', 'SemLock', 'release',
     _instant('release', 'lock', trace_args.lock)),
    ('teachmp.synchronize', 'RLock', 'release',
     _instant('release', 'lock', trace_args.lock)),
    ('teachmp.condition', 'Condition', 'wait', _span('wait', 'condition')),
    ('teachmp.condition', 'Condition', 'notify', _instant('notify', 'condition')),
    ('teachmp.condition', 'Event', 'wait', _span('wait', 'event')),
    ('teachmp.condition', 'Event', 'set', _instant('set', 'event')),
    ('teachmp.condition', 'Barrier', 'wait', _span('wait', 'barrier')),
    ('teachmp.process', 'BaseProcess', 'start',
     _span('start', 'process', trace_args.child, trace_args.started)),
    ('teachmp.process', 'BaseProcess', 'join',
     _span('join', 'process', trace_args.child, trace_args.joined)),
    ('teachmp.process', 'BaseProcess', '_bootstrap',
     _span('process', 'process', trace_args.process_info, trace_args.exited)),
    ('teachmp.popen_fork', 'Popen', 'poll', _reaped),
    ('teachmp.queues', 'Queue', 'put', _span('put', 'queue', guard=False)),
    ('teachmp.queues', 'Queue', 'get', _span('get', 'queue', guard=False)),
    ('teachmp.queues', 'SimpleQueue', 'put', _span('put', 'queue', guard=False)),
    ('teachmp.queues', 'SimpleQueue', 'get', _span('get', 'queue', guard=False)),
    ('teachmp.queues', 'JoinableQueue', 'join', _span('join', 'queue')),
    ('teachmp.pool', 'Pool', 'apply_async',
     _instant('task submitted', 'pool', trace_args.nothing)),
    ('teachmp.pool', 'Pool', '_map_async',
     _instant('tasks submitted', 'pool', trace_args.nothing)),
    ('teachmp.proxies', 'BaseProxy', '_callmethod',
     _span('manager call', 'manager', trace_args.proxy_call)),
    ('teachmp.manager_server', 'Server', '_call',
     _span('serve call', 'manager', trace_args.server_call)),
    ('teachmp.listener', 'Listener', 'accept', _span('accept', 'listener')),
]


def _wrap_module_functions():
    """The pool worker's steps are module functions: wrap them by name."""
    try:
        from teachmp import pool_worker
    except ImportError:
        return
    for name, label in (('_get_task', 'wait for task'),
                        ('_put_result', 'send result')):
        original = getattr(pool_worker, name, None)
        if original is None:
            continue

        def make(original, label):
            @functools.wraps(original)
            def traced(*a, **k):
                emit('B', label, 'pool')
                try:
                    value = original(*a, **k)
                except BaseException as e:
                    emit('E', label, 'pool', error=type(e).__name__)
                    raise
                task = value if label == 'wait for task' else None
                emit('E', label, 'pool', **({'job': list(task[:2])}
                                           if isinstance(task, tuple) else {}))
                return value
            return traced
        setattr(pool_worker, name, make(original, label))
        _installed.append((pool_worker, name, original))


# -- switching it on and off ---------------------------------------------------

def install(path=None):
    """Start recording to ``path`` (default: ``$TEACHMP_TRACE``) in this process.

    Also sets ``TEACHMP_TRACE`` so that spawned children record too.
    """
    import importlib
    path = os.path.abspath(path or os.environ[ENV])
    if _state['path'] is not None:
        return
    _state.update(path=path, pid=None)
    os.environ[ENV] = path
    root = os.environ.setdefault(ROOT_ENV, str(os.getpid()))
    for module_name, class_name, attribute, wrap in _HOOKS:
        try:
            owner = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError):
            continue
        original = owner.__dict__.get(attribute)
        if original is None:
            continue
        setattr(owner, attribute, wrap(original))
        _installed.append((owner, attribute, original))
    _wrap_module_functions()
    if root == str(os.getpid()):    # not a spawned child: the tree's root
        emit('i', 'main process', 'process', name='MainProcess',
             parent=os.getppid())


def uninstall():
    """Stop recording: put every wrapped method back, close the file."""
    while _installed:
        owner, attribute, original = _installed.pop()
        setattr(owner, attribute, original)
    if _state['fd'] is not None and _state['pid'] == os.getpid():
        os.close(_state['fd'])
    _state.update(path=None, fd=None, pid=None)
    os.environ.pop(ENV, None)
    if os.environ.get(ROOT_ENV) == str(os.getpid()):
        del os.environ[ROOT_ENV]


def enabled():
    """Whether this process is recording."""
    return _state['path'] is not None


def handover():
    """What a child started by spawn or forkserver needs to record too."""
    return {'path': _state['path'], 'root': os.environ.get(ROOT_ENV)}


def take_over(state):
    """In such a child: record into the parent's trace (see handover)."""
    if _state['path'] not in (None, state['path']):
        # forked from a fork server that was started during an earlier
        # recording: it still writes there, the child must not
        uninstall()
    if state.get('root'):
        os.environ[ROOT_ENV] = state['root']
    install(state['path'])


@contextlib.contextmanager
def recording(path):
    """Record every teachmp blocking point inside the ``with`` block to ``path``."""
    if os.path.exists(path):
        os.unlink(path)
    install(path)
    try:
        yield path
    finally:
        uninstall()
