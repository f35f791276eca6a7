"""Process targets and small utilities for the conformance tests.

Everything a test sends to a child lives here, at module level, so that a
child started with ``spawn`` can import it by name.  Functions that need to
know which implementation they run under take its module name
(``"teachmp"`` or ``"multiprocessing"``) as an argument and import it
themselves: a spawned child starts from nothing.

The second half holds helpers for running programs in a fresh interpreter
(``tests/programs/``), either on the stdlib (``python prog.py``) or on
teachmp (the same program with ``TEST_MP_IMPL=teachmp``, or under
``python -m teachmp run``).
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import time

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
PROGRAMS_DIR = os.path.join(TESTS_DIR, 'programs')
ROOT_DIR = os.path.dirname(TESTS_DIR)

MODNAMES = {'teachmp': 'teachmp', 'stdlib': 'multiprocessing'}


# -- targets ----------------------------------------------------------------


def noop():
    pass


def take(*args, **kwargs):
    """Accept any arguments, do nothing."""


def exit_with(code):
    sys.exit(code)


def raise_value_error(message):
    raise ValueError(message)


def os_exit(code):
    os._exit(code)


def kill_self(signum):
    os.kill(os.getpid(), signum)
    time.sleep(60)  # not reached: the signal ends the process


def report_stdin(conn):
    """What does the child's stdin look like?  (It must not be the parent's.)"""
    try:
        data = sys.stdin.read()
        conn.send(('read', data))
    except (OSError, ValueError) as exc:
        conn.send(('error', type(exc).__name__))
    conn.close()


def report_active_children(conn, modname):
    mod = importlib.import_module(modname)
    conn.send([p.name for p in mod.active_children()])
    conn.close()


def _explode():
    raise RuntimeError('cannot be rebuilt in the child')


class FailsToUnpickle:
    """Pickles fine in the parent; unpickling it (in the child) raises."""

    def __reduce__(self):
        return (_explode, ())


def wait_for_message(conn):
    """Block until something (or EOF) arrives on *conn*, then return."""
    try:
        conn.recv()
    except EOFError:
        pass


def block_forever():
    """Block until a signal ends the process (terminate/kill tests)."""
    while True:
        time.sleep(3600)


def ready_then_block(conn):
    conn.send('ready')
    while True:
        time.sleep(3600)


def ignore_sigterm_then_block(conn):
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    conn.send('ready')
    while True:
        time.sleep(3600)


def send_back(conn, *args, **kwargs):
    conn.send((args, kwargs))
    conn.close()


def report_self(conn, modname):
    """Send what the child knows about itself and its parent."""
    mod = importlib.import_module(modname)
    me = mod.current_process()
    parent = mod.parent_process()
    conn.send(
        {
            'name': me.name,
            'pid': me.pid,
            'ident': me.ident,
            'getpid': os.getpid(),
            'daemon': me.daemon,
            'authkey': bytes(me.authkey),
            'authkey_is_bytes': isinstance(me.authkey, bytes),
            'parent_pid': parent.pid if parent is not None else None,
            'parent_name': parent.name if parent is not None else None,
            'parent_alive': parent.is_alive() if parent is not None else None,
            'getppid': os.getppid(),
            'main_name': __import__('__main__').__name__,
        }
    )
    conn.close()


def report_child_names(conn, modname, method):
    """Start two grandchildren and report their names (``N:1``, ``N:2``)."""
    mod = importlib.import_module(modname)
    ctx = mod.get_context(method)
    names = []
    codes = []
    for _ in range(2):
        p = ctx.Process(target=noop)
        names.append(p.name)
        p.start()
        p.join(10)
        codes.append(p.exitcode)
    conn.send((mod.current_process().name, names, codes))
    conn.close()


def report_grandchild_parent(conn, modname, method):
    """Start a grandchild that reports on itself; forward its report."""
    mod = importlib.import_module(modname)
    ctx = mod.get_context(method)
    r, w = ctx.Pipe(duplex=False)
    p = ctx.Process(target=report_self, args=(w, modname))
    p.start()
    w.close()
    info = r.recv() if r.poll(10) else None
    r.close()
    p.join(10)
    conn.send((os.getpid(), mod.current_process().name, info))
    conn.close()


def daemon_tries_child(conn, modname, method):
    """In a daemonic process: a new Process inherits daemon, start() fails."""
    mod = importlib.import_module(modname)
    ctx = mod.get_context(method)
    p = ctx.Process(target=noop)
    result = {'inherited_daemon': p.daemon}
    try:
        p.start()
    except BaseException as exc:  # noqa: BLE001 -- report whatever happened
        result['error'] = (type(exc).__name__, str(exc))
        p.close()
    else:
        p.join(10)
        result['error'] = None
    conn.send(result)
    conn.close()


def misuse_foreign_process(conn, proc, unstarted):
    """(fork only) *proc* was started by the parent, *unstarted* created there."""
    results = {}
    for what, call in (
        ('join', lambda: proc.join(0)),
        ('is_alive', proc.is_alive),
        ('start_started', proc.start),
        ('start_unstarted', unstarted.start),
    ):
        try:
            call()
        except BaseException as exc:  # noqa: BLE001
            results[what] = (type(exc).__name__, str(exc))
        else:
            results[what] = None
    results['repr_unknown'] = 'unknown' in repr(proc)
    conn.send(results)
    conn.close()


def join_self(conn, modname):
    """A child that tries to join itself."""
    mod = importlib.import_module(modname)
    try:
        mod.current_process().join(0)
    except BaseException as exc:  # noqa: BLE001
        conn.send((type(exc).__name__, str(exc)))
    else:
        conn.send(None)
    conn.close()


MARK = 'initial'  # changed by a test in the parent: does the child see it?


def report_mark(conn, modname):
    mod = importlib.import_module(modname)
    conn.send((MARK, mod.get_start_method()))
    conn.close()


def report_environment(conn):
    conn.send(
        {
            'cwd': os.getcwd(),
            'argv': list(sys.argv),
            'path': list(sys.path),
            'has_pytest': 'pytest' in sys.modules,
        }
    )
    conn.close()


def report_modules(conn):
    """Which module does ``multiprocessing`` resolve to in this child?"""
    import multiprocessing

    conn.send((multiprocessing.__name__, multiprocessing.Process.__module__))
    conn.close()


def send_through(conn, *objs):
    """Send each object through *conn* (a Connection received by pickle)."""
    for obj in objs:
        conn.send(obj)
    conn.close()


def send_bytes_through(conn, data):
    conn.send_bytes(data)
    conn.close()


def echo_until_none(conn):
    while True:
        obj = conn.recv()
        if obj is None:
            break
        conn.send(obj)
    conn.close()


def _subclass_run(self):
    self.conn.send(('run', type(self).__name__, self.name, self.payload))
    self.conn.close()


def _subclass_init(self, conn, payload):
    # the context's Process class is the direct base
    type(self).__mro__[1].__init__(self)
    self.conn = conn
    self.payload = payload


_SUBCLASSES = {}


def subclass_for(impl_name, method):
    """A subclass of ``impl.get_context(method).Process`` overriding run().

    Built on demand but registered in this module's namespace under a
    stable name so that pickle (spawn) finds it in the child.
    """
    name = f'Sub_{impl_name}_{method}'
    cls = globals().get(name)
    if cls is None:
        mod = importlib.import_module(MODNAMES[impl_name])
        base = mod.get_context(method).Process
        cls = type(
            name,
            (base,),
            {'__init__': _subclass_init, 'run': _subclass_run, '__module__': __name__},
        )
        globals()[name] = cls
    return cls


def __getattr__(name):
    # a spawned child unpickling Sub_<impl>_<method> builds the class lazily
    m = re.fullmatch(r'Sub_(teachmp|stdlib)_(fork|spawn|forkserver)', name)
    if m:
        return subclass_for(m.group(1), m.group(2))
    raise AttributeError(name)


# -- running programs in a fresh interpreter ---------------------------------


def program_env(impl_name=None, extra=None):
    """Environment for a child interpreter: tests/ and the repo importable."""
    env = dict(os.environ)
    paths = [TESTS_DIR, ROOT_DIR]
    if env.get('PYTHONPATH'):
        paths.append(env['PYTHONPATH'])
    env['PYTHONPATH'] = os.pathsep.join(paths)
    env.pop('TEST_MP_IMPL', None)
    if impl_name is not None:
        env['TEST_MP_IMPL'] = MODNAMES[impl_name]
    env['PYTHONUNBUFFERED'] = '1'
    env.pop('PYTHONWARNINGS', None)
    if extra:
        env.update(extra)
    return env


def run_python(args, *, impl_name=None, cwd=PROGRAMS_DIR, timeout=60, env=None, input=None):
    """Run ``python ARGS`` and return the CompletedProcess (text mode)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env if env is not None else program_env(impl_name),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=timeout,
        input=input,
    )


def run_program(impl_name, program, *args, via_runner=True, **kw):
    """Run tests/programs/PROGRAM on the stdlib or on teachmp.

    stdlib: ``python PROGRAM ARGS``.  teachmp: ``python -m teachmp run
    PROGRAM ARGS`` (the program keeps its ``import multiprocessing``), or,
    with ``via_runner=False``, ``python PROGRAM ARGS`` with
    ``TEST_MP_IMPL=teachmp`` for programs that pick the module from it.
    """
    if impl_name == 'stdlib':
        return run_python([program, *args], impl_name='stdlib', **kw)
    if via_runner:
        return run_python(['-m', 'teachmp', 'run', program, *args], impl_name=None, **kw)
    return run_python([program, *args], impl_name='teachmp', **kw)


def squash(text):
    """Collapse all whitespace runs to one space (for multi-line messages)."""
    return ' '.join(text.split())
