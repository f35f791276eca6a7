"""Process: life cycle, names, daemons, exit codes, reprs and misuse.

Every test runs on teachmp and on the stdlib (fixture ``mp``: a context of
either, for fork and spawn) and asserts the same observable result.
Expected values are the stdlib's behaviour, written so that they hold on
every Python from 3.10 to 3.13.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import pickle
import re
import select
import signal
import stat
import sys
import time

import pytest

import targets
from impls import START_METHODS
from support import TIMEOUT, recv


def stdlib_class_name(start_method):
    return multiprocessing.get_context(start_method).Process.__name__


def modname(impl):
    return impl.__name__


# -- start / join / is_alive ------------------------------------------------


def test_start_join_exitcode_zero(mp):
    p = mp.Process(target=targets.noop)
    assert p.pid is None and p.ident is None and p.exitcode is None
    assert not p.is_alive()
    p.start()
    assert isinstance(p.pid, int) and p.pid > 0 and p.pid != os.getpid()
    assert p.ident == p.pid
    assert p.join(TIMEOUT) is None
    assert p.exitcode == 0
    assert not p.is_alive()
    # joining again is harmless
    p.join(TIMEOUT)
    assert p.exitcode == 0


def test_join_timeout_while_running(mp):
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=targets.wait_for_message, args=(r,))
    p.start()
    try:
        assert p.is_alive()
        assert p.join(0.05) is None  # times out: still running
        assert p.is_alive()
        assert p.exitcode is None
        assert p.join(0) is None
        assert p.join(-1) is None  # a negative timeout does not block either
        assert p.exitcode is None
    finally:
        w.send('go')
        p.join(TIMEOUT)
        r.close()
        w.close()
    assert p.exitcode == 0
    assert not p.is_alive()


def test_args_and_kwargs(mp):
    a, b = mp.Pipe()
    p = mp.Process(target=targets.send_back, args=(b, 1, 'two'), kwargs={'x': [3]})
    p.start()
    b.close()
    assert recv(a) == ((1, 'two'), {'x': [3]})
    p.join(TIMEOUT)
    a.close()
    assert p.exitcode == 0


def test_group_must_be_none(mp):
    with pytest.raises(AssertionError):
        mp.Process(group=object(), target=targets.noop)


@pytest.mark.parametrize(
    'code, expected',
    [(None, 0), (0, 0), (3, 3), (-1, 255), (True, 1), ('a message', 1)],
    ids=['None', '0', '3', '-1', 'True', 'str'],
)
def test_sys_exit_codes(mp, capfd, code, expected):
    p = mp.Process(target=targets.exit_with, args=(code,))
    p.start()
    p.join(TIMEOUT)
    assert p.exitcode == expected
    err = capfd.readouterr().err
    if isinstance(code, str):
        assert code in err.splitlines()
    else:
        assert 'Traceback' not in err


def test_exception_gives_exitcode_1_and_traceback(mp, capfd):
    p = mp.Process(target=targets.raise_value_error, args=('boom-42',))
    p.start()
    p.join(TIMEOUT)
    assert p.exitcode == 1
    err = capfd.readouterr().err
    lines = err.splitlines()
    # the stdlib prints "Process <name>:" and then the traceback
    assert f'Process {p.name}:' in lines
    assert 'Traceback (most recent call last):' in lines
    assert lines.index(f'Process {p.name}:') < lines.index('Traceback (most recent call last):')
    assert 'ValueError: boom-42' in lines


def test_os_exit_code(mp):
    p = mp.Process(target=targets.os_exit, args=(7,))
    p.start()
    p.join(TIMEOUT)
    assert p.exitcode == 7


def test_child_killed_by_its_own_signal(mp):
    p = mp.Process(target=targets.kill_self, args=(signal.SIGUSR1,))
    p.start()
    p.join(TIMEOUT)
    assert p.exitcode == -signal.SIGUSR1
    assert repr(p).endswith(' stopped exitcode=-SIGUSR1>'), repr(p)


def test_target_none_and_run_in_parent(mp):
    p = mp.Process()
    p.start()
    p.join(TIMEOUT)
    assert p.exitcode == 0
    # run() called directly runs the target here, in this process
    a, b = mp.Pipe()
    q = mp.Process(target=targets.send_back, args=(b, 'here'))
    assert q.run() is None
    assert recv(a) == (('here',), {})
    assert q.pid is None and q.exitcode is None
    a.close()


def test_start_returns_none(mp):
    p = mp.Process(target=targets.noop)
    assert p.start() is None
    p.join(TIMEOUT)


def test_child_stdin_is_not_the_parents(mp):
    """The child must not read the parent's stdin (the stdlib points it at
    /dev/null): reading it returns at once with nothing."""
    a, b = mp.Pipe()
    p = mp.Process(target=targets.report_stdin, args=(b,))
    p.start()
    b.close()
    result = recv(a)
    p.join(TIMEOUT)
    a.close()
    assert result == ('read', '')


def test_process_object_does_not_pickle_outside_start(mp):
    p = mp.Process(target=targets.noop)
    with pytest.raises(TypeError, match='AuthenticationString'):
        pickle.dumps(p)


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
@pytest.mark.parametrize('method', START_METHODS)
def test_buffered_output_is_written_once(which, method):
    """Unflushed parent output is not duplicated by fork; the child's own
    unflushed output is not lost."""
    result = targets.run_python(['flush_fork.py', method], impl_name=which)
    expected = targets.run_python(['flush_fork.py', method], impl_name='stdlib')
    assert (result.returncode, result.stdout, result.stderr) == (
        expected.returncode, expected.stdout, expected.stderr
    )
    assert result.stdout == 'parent-before|child-unflushed|parent-after exitcode 0\n'


# -- terminate / kill ---------------------------------------------------------


def test_terminate_gives_minus_sigterm(mp):
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=targets.ready_then_block, args=(w,))
    p.start()
    assert recv(r) == 'ready'
    p.terminate()
    p.join(TIMEOUT)
    r.close()
    w.close()
    assert p.exitcode == -signal.SIGTERM
    assert not p.is_alive()
    assert re.search(r' stopped exitcode=-SIGTERM>$', repr(p)), repr(p)


def test_kill_gives_minus_sigkill(mp):
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=targets.ignore_sigterm_then_block, args=(w,))
    p.start()
    assert recv(r) == 'ready'
    p.terminate()  # ignored by the child
    p.join(0.2)
    assert p.is_alive() and p.exitcode is None
    p.kill()
    p.join(TIMEOUT)
    r.close()
    w.close()
    assert p.exitcode == -signal.SIGKILL
    assert re.search(r' stopped exitcode=-SIGKILL>$', repr(p)), repr(p)


def test_terminate_after_exit_is_harmless(mp):
    p = mp.Process(target=targets.noop)
    p.start()
    p.join(TIMEOUT)
    p.terminate()
    p.kill()
    p.join(TIMEOUT)
    assert p.exitcode == 0


# -- names --------------------------------------------------------------------


def test_default_names_count_up(mp, start_method):
    cls = type(mp.Process(target=targets.noop)).__name__
    assert cls == stdlib_class_name(start_method)
    p1 = mp.Process(target=targets.noop)
    p2 = mp.Process(target=targets.noop)
    m1 = re.fullmatch(re.escape(cls) + r'-(\d+)', p1.name)
    m2 = re.fullmatch(re.escape(cls) + r'-(\d+)', p2.name)
    assert m1 and m2, (p1.name, p2.name)
    assert int(m2.group(1)) == int(m1.group(1)) + 1


def test_every_new_process_takes_a_number(mpmod):
    """An explicit name still uses up a number, and all contexts share one
    counter."""
    fork = mpmod.get_context('fork')
    spawn = mpmod.get_context('spawn')
    p1 = fork.Process(target=targets.noop)
    mpmod.Process(target=targets.noop, name='named')
    p3 = spawn.Process(target=targets.noop)
    p4 = mpmod.Process(target=targets.noop)
    n1 = int(p1.name.rsplit('-', 1)[1])
    assert p3.name == f'SpawnProcess-{n1 + 2}'
    assert p4.name == f'Process-{n1 + 3}'


def test_module_level_process_name(impl):
    p = impl.Process(target=targets.noop)
    assert type(p).__name__ == 'Process'
    assert re.fullmatch(r'Process-\d+', p.name), p.name


def test_explicit_name_and_setter(mp):
    p = mp.Process(target=targets.noop, name='worker')
    assert p.name == 'worker'
    p.name = 'renamed'
    assert p.name == 'renamed'
    with pytest.raises(AssertionError):
        p.name = 42


def test_child_sees_its_own_name_and_pid(mp, impl):
    a, b = mp.Pipe()
    p = mp.Process(target=targets.report_self, args=(b, modname(impl)), name='kid')
    p.start()
    b.close()
    info = recv(a)
    p.join(TIMEOUT)
    a.close()
    assert p.exitcode == 0
    assert info['name'] == 'kid'
    assert info['pid'] == info['ident'] == info['getpid'] == p.pid
    assert info['parent_pid'] == os.getpid()
    assert info['parent_name'] == 'MainProcess'
    assert info['parent_alive'] is True
    assert info['daemon'] is False


def test_nested_names(mp, impl, start_method):
    a, b = mp.Pipe()
    p = mp.Process(target=targets.report_child_names, args=(b, modname(impl), start_method))
    p.start()
    b.close()
    child_name, names, codes = recv(a)
    p.join(TIMEOUT)
    a.close()
    assert p.exitcode == 0
    assert child_name == p.name
    number = p.name.rsplit('-', 1)[1]
    cls = stdlib_class_name(start_method)
    assert names == [f'{cls}-{number}:1', f'{cls}-{number}:2']
    assert codes == [0, 0]


def test_grandchild_parent_process(mp, impl, start_method):
    a, b = mp.Pipe()
    p = mp.Process(
        target=targets.report_grandchild_parent, args=(b, modname(impl), start_method)
    )
    p.start()
    b.close()
    child_pid, child_name, info = recv(a)
    p.join(TIMEOUT)
    a.close()
    assert p.exitcode == 0
    assert info is not None
    assert info['parent_pid'] == child_pid == p.pid
    assert info['parent_name'] == child_name == p.name
    assert info['name'] == f"{stdlib_class_name(start_method)}-{p.name.rsplit('-', 1)[1]}:1"


# -- the main process -----------------------------------------------------------


def test_current_process_in_main(mpmod):
    me = mpmod.current_process()
    assert me.name == 'MainProcess'
    assert me.pid == me.ident == os.getpid()
    assert me.daemon is False
    assert me.is_alive()
    assert me.exitcode is None
    assert mpmod.current_process() is me
    assert mpmod.parent_process() is None
    assert re.fullmatch(r"<\w+ name='MainProcess' parent=None started>", repr(me)), repr(me)


def test_cpu_count_and_freeze_support(mpmod):
    assert mpmod.cpu_count() == os.cpu_count() == multiprocessing.cpu_count()
    assert mpmod.freeze_support() is None


def test_exception_hierarchy(mpmod):
    assert issubclass(mpmod.ProcessError, Exception)
    for name in ('BufferTooShort', 'AuthenticationError', 'TimeoutError'):
        exc = getattr(mpmod, name)
        assert issubclass(exc, mpmod.ProcessError), name
        # same relation to the builtins as the stdlib's
        std = getattr(multiprocessing, name)
        assert issubclass(exc, TimeoutError) == issubclass(std, TimeoutError), name
        assert exc.__name__ == std.__name__


# -- daemon -------------------------------------------------------------------


def test_daemon_flag(mp):
    p = mp.Process(target=targets.noop)
    assert p.daemon is False
    q = mp.Process(target=targets.noop, daemon=True)
    assert q.daemon is True
    p.daemon = True
    assert p.daemon is True
    p.daemon = False
    p.start()
    with pytest.raises(AssertionError, match='process has already started'):
        p.daemon = True
    p.join(TIMEOUT)
    assert p.daemon is False
    q.start()
    q.join(TIMEOUT)
    assert q.exitcode == 0 and q.daemon is True


def test_daemon_child_knows_it_is_daemonic(mp, impl):
    a, b = mp.Pipe()
    p = mp.Process(target=targets.report_self, args=(b, modname(impl)), daemon=True)
    p.start()
    b.close()
    info = recv(a)
    p.join(TIMEOUT)
    a.close()
    assert info['daemon'] is True


def test_daemonic_process_cannot_have_children(mp, impl, start_method):
    a, b = mp.Pipe()
    p = mp.Process(
        target=targets.daemon_tries_child, args=(b, modname(impl), start_method), daemon=True
    )
    p.start()
    b.close()
    result = recv(a)
    p.join(TIMEOUT)
    a.close()
    assert p.exitcode == 0
    assert result['inherited_daemon'] is True
    assert result['error'] == (
        'AssertionError',
        'daemonic processes are not allowed to have children',
    )


# -- authkey ------------------------------------------------------------------


def test_authkey_in_main(mpmod):
    key = mpmod.current_process().authkey
    assert isinstance(key, bytes)
    assert len(key) == len(multiprocessing.current_process().authkey) == 32
    with pytest.raises(TypeError, match='AuthenticationString'):
        pickle.dumps(key)


def test_authkey_inherited_and_settable(mp, impl):
    parent_key = bytes(impl.current_process().authkey)
    p = mp.Process(target=targets.noop)
    assert bytes(p.authkey) == parent_key
    a, b = mp.Pipe()
    p = mp.Process(target=targets.report_self, args=(b, modname(impl)))
    p.start()
    b.close()
    info = recv(a)
    p.join(TIMEOUT)
    assert info['authkey'] == parent_key
    assert info['authkey_is_bytes'] is True

    q = mp.Process(target=targets.report_self, args=(b, modname(impl)))
    q.authkey = b'sesame'
    assert bytes(q.authkey) == b'sesame'
    a2, b2 = mp.Pipe()
    q = mp.Process(target=targets.report_self, args=(b2, modname(impl)))
    q.authkey = b'sesame'
    q.start()
    b2.close()
    assert recv(a2)['authkey'] == b'sesame'
    q.join(TIMEOUT)
    a.close()
    a2.close()
    # the parent's own key is unchanged
    assert bytes(impl.current_process().authkey) == parent_key


# -- sentinel -----------------------------------------------------------------


def test_sentinel(mp):
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=targets.wait_for_message, args=(r,))
    with pytest.raises(ValueError, match='process not started'):
        p.sentinel
    p.start()
    s = p.sentinel
    assert isinstance(s, int)
    assert select.select([s], [], [], 0)[0] == []  # child still running
    w.send('go')
    assert select.select([s], [], [], TIMEOUT)[0] == [s]
    p.join(TIMEOUT)
    r.close()
    w.close()
    assert p.exitcode == 0


# -- subclassing ----------------------------------------------------------------


def test_subclass_with_run(mp, impl_name, start_method):
    cls = targets.subclass_for(impl_name, start_method)
    a, b = mp.Pipe()
    p = cls(b, {'k': 1})
    assert re.fullmatch(re.escape(cls.__name__) + r'-\d+', p.name), p.name
    p.start()
    b.close()
    assert recv(a) == ('run', cls.__name__, p.name, {'k': 1})
    p.join(TIMEOUT)
    a.close()
    assert p.exitcode == 0


# -- repr -------------------------------------------------------------------


def test_repr_states(mp):
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=targets.wait_for_message, args=(r,))
    cls = type(p).__name__
    me = os.getpid()
    assert repr(p) == f'<{cls} name={p.name!r} parent={me} initial>'
    p.start()
    assert repr(p) == f'<{cls} name={p.name!r} pid={p.pid} parent={me} started>'
    w.send('go')
    p.join(TIMEOUT)
    assert repr(p) == f'<{cls} name={p.name!r} pid={p.pid} parent={me} stopped exitcode=0>'
    p.close()
    assert repr(p) == f'<{cls} name={p.name!r} parent={me} closed>'
    r.close()
    w.close()


def test_repr_daemon_and_exitcode(mp):
    p = mp.Process(target=targets.exit_with, args=(7,), daemon=True)
    cls = type(p).__name__
    me = os.getpid()
    assert repr(p) == f'<{cls} name={p.name!r} parent={me} initial daemon>'
    p.start()
    p.join(TIMEOUT)
    assert repr(p) == f'<{cls} name={p.name!r} pid={p.pid} parent={me} stopped exitcode=7 daemon>'


# -- misuse -------------------------------------------------------------------


def test_start_twice(mp):
    p = mp.Process(target=targets.noop)
    p.start()
    with pytest.raises(AssertionError, match='cannot start a process twice'):
        p.start()
    p.join(TIMEOUT)
    with pytest.raises(AssertionError, match='cannot start a process twice'):
        p.start()


def test_join_unstarted(mp):
    p = mp.Process(target=targets.noop)
    with pytest.raises(AssertionError, match='can only join a started process'):
        p.join()
    with pytest.raises(AssertionError, match='can only join a started process'):
        p.join(0)


def test_join_self_in_main(mpmod):
    with pytest.raises(AssertionError, match='can only join a child process'):
        mpmod.current_process().join(0)


def test_join_self_in_child(mp, impl):
    a, b = mp.Pipe()
    p = mp.Process(target=targets.join_self, args=(b, modname(impl)))
    p.start()
    b.close()
    result = recv(a)
    p.join(TIMEOUT)
    a.close()
    assert result == ('AssertionError', 'can only join a child process')


def test_process_not_started_by_us(impl):
    """A forked child inherits Process objects it did not create."""
    ctx = impl.get_context('fork')
    r, w = ctx.Pipe(duplex=False)
    started = ctx.Process(target=targets.wait_for_message, args=(r,))
    started.start()
    unstarted = ctx.Process(target=targets.noop)
    a, b = ctx.Pipe()
    p = ctx.Process(target=targets.misuse_foreign_process, args=(b, started, unstarted))
    p.start()
    b.close()
    try:
        result = recv(a)
    finally:
        w.send('go')
        started.join(TIMEOUT)
        p.join(TIMEOUT)
        for c in (a, r, w):
            c.close()
    assert result == {
        'join': ('AssertionError', 'can only join a child process'),
        'is_alive': ('AssertionError', 'can only test a child process'),
        'start_started': ('AssertionError', 'cannot start a process twice'),
        'start_unstarted': (
            'AssertionError',
            'can only start a process object created by current process',
        ),
        'repr_unknown': True,
    }
    assert p.exitcode == 0


def test_close(mp):
    p = mp.Process(target=targets.noop)
    p.start()
    p.join(TIMEOUT)
    name = p.name
    p.close()
    p.close()  # closing twice is fine
    for attr in ('pid', 'ident', 'exitcode', 'sentinel'):
        with pytest.raises(ValueError, match='process object is closed'):
            getattr(p, attr)
    for call in (p.is_alive, p.join, p.start, p.terminate, p.kill):
        with pytest.raises(ValueError, match='process object is closed'):
            call()
    assert p.name == name  # the name is still there


def test_close_unstarted(mp):
    p = mp.Process(target=targets.noop)
    p.close()
    with pytest.raises(ValueError, match='process object is closed'):
        p.start()


def test_close_while_running(mp):
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=targets.wait_for_message, args=(r,))
    p.start()
    try:
        with pytest.raises(ValueError, match='Cannot close a process while it is still running'):
            p.close()
        assert p.is_alive()
    finally:
        w.send('go')
        p.join(TIMEOUT)
        r.close()
        w.close()
    p.close()


# -- active_children ---------------------------------------------------------


def test_active_children_reaps(mp, impl):
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=targets.wait_for_message, args=(r,))
    q = mp.Process(target=targets.noop)
    assert p not in impl.active_children()
    p.start()
    q.start()
    try:
        assert p in impl.active_children()
        # wait (without join) until q has ended
        assert select.select([q.sentinel], [], [], TIMEOUT)[0]
        # the sentinel fires as the child closes its files, a moment before
        # the kernel lets the parent collect it: poll until it is gone
        deadline = time.monotonic() + TIMEOUT
        while q in impl.active_children():
            assert time.monotonic() < deadline, 'finished child never left active_children()'
            time.sleep(0.005)
        assert p in impl.active_children()
        # active_children() collected q's exit status
        assert q.exitcode == 0
    finally:
        w.send('go')
        p.join(TIMEOUT)
        q.join(TIMEOUT)
        r.close()
        w.close()
    assert p not in impl.active_children()
    assert isinstance(impl.active_children(), list)


def test_child_has_no_children_of_its_own(mp, impl):
    """A forked child inherits the parent's memory, but not its children."""
    r, w = mp.Pipe(duplex=False)
    sibling = mp.Process(target=targets.wait_for_message, args=(r,))
    sibling.start()
    a, b = mp.Pipe()
    p = mp.Process(target=targets.report_active_children, args=(b, impl.__name__))
    p.start()
    b.close()
    try:
        assert recv(a) == []
    finally:
        w.send('go')
        sibling.join(TIMEOUT)
        p.join(TIMEOUT)
        for c in (a, r, w):
            c.close()


# -- set_executable ------------------------------------------------------------


def test_set_executable(impl, tmp_path):
    """spawn children are started with the interpreter set_executable names."""
    wrapper = tmp_path / 'python-wrapper'
    marker = tmp_path / 'marker'
    wrapper.write_text(
        f'#!/bin/sh\necho used >> "{marker}"\nexec "{sys.executable}" "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    ctx = impl.get_context('spawn')
    impl.set_executable(str(wrapper))
    try:
        p = ctx.Process(target=targets.exit_with, args=(5,))
        p.start()
        p.join(TIMEOUT)
    finally:
        impl.set_executable(sys.executable)
    assert p.exitcode == 5
    assert marker.read_text().split() == ['used']
    # and back to normal
    p = ctx.Process(target=targets.noop)
    p.start()
    p.join(TIMEOUT)
    assert p.exitcode == 0
    assert marker.read_text().split() == ['used']


# -- what happens to children when the parent exits ----------------------------


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
@pytest.mark.parametrize('method', START_METHODS)
def test_children_at_parent_exit(which, method, tmp_path):
    """Daemon children are terminated, the others joined, when main ends."""
    import subprocess

    fifo = tmp_path / 'fifo'
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, 'exit_children.py', method, str(fifo)],
        cwd=targets.PROGRAMS_DIR,
        env=targets.program_env(which),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    daemon_pid = None
    try:
        lines = []
        while True:
            line = proc.stdout.readline()
            assert line, f'program ended early: {lines} {proc.stderr.read()}'
            lines.append(line.strip())
            if line.startswith('main done'):
                break
        daemon_pid = int(lines[0].split()[1])
        # the main module has finished; the parent must now be waiting for
        # its non-daemonic child, which waits for us
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(0.5)
        # open without blocking (ENXIO until the child has opened its end)
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as exc:
                if exc.errno != errno.ENXIO:
                    raise
                assert proc.poll() is None, 'the parent exited without waiting'
                assert time.monotonic() < deadline, 'the child never opened the fifo'
                time.sleep(0.01)
        os.write(fd, b'go\n')
        os.close(fd)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    lines += out.splitlines()
    assert proc.returncode == 0, err
    assert lines[1:] == ['main done', 'child got go']
    # the daemon child was terminated (and reaped) by the exiting parent
    assert _still_running_our_daemon(daemon_pid) is False


def _still_running_our_daemon(pid):
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            cmd = f.read()
    except OSError:
        return False
    # the pid may have been reused since: only our own program counts
    if b'exit_children' in cmd or b'spawn_main' in cmd or b'teachmp' in cmd:
        os.kill(pid, signal.SIGKILL)
        return True
    return False
