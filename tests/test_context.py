"""Start methods and contexts: get_context, set_start_method & co.

The ``mpmod`` fixture restores the module's global start method after each
test, so these tests may change it.  The default start method of a fresh
interpreter is read in a subprocess.
"""

from __future__ import annotations

import multiprocessing
import os

import pytest

import targets
from support import TIMEOUT, recv


def stdlib_error(call):
    try:
        call()
    except Exception as exc:  # noqa: BLE001
        return exc
    raise AssertionError('the stdlib raised nothing')


# -- concrete contexts --------------------------------------------------------


@pytest.mark.parametrize('method', ['fork', 'spawn', 'forkserver'])
def test_get_context_by_name(mpmod, method):
    ctx = mpmod.get_context(method)
    assert ctx.get_start_method() == method
    assert mpmod.get_context(method) is ctx  # one object per method
    assert ctx.get_context() is ctx
    assert ctx.get_context(None) is ctx
    other = 'spawn' if method == 'fork' else 'fork'
    assert ctx.get_context(other) is mpmod.get_context(other)
    # class names mirror the stdlib's
    std = multiprocessing.get_context(method)
    assert type(ctx).__name__ == type(std).__name__
    assert ctx.Process.__name__ == std.Process.__name__


def test_context_has_the_api(mpmod):
    std = multiprocessing.get_context('spawn')
    ctx = mpmod.get_context('spawn')
    for name in (
        'Process', 'Pipe', 'current_process', 'parent_process', 'active_children',
        'cpu_count', 'freeze_support', 'set_executable', 'get_context',
        'get_start_method', 'set_start_method', 'get_all_start_methods',
        'get_logger', 'log_to_stderr', 'ProcessError', 'BufferTooShort',
        'AuthenticationError', 'TimeoutError',
    ):
        # (get_all_start_methods lives on the default context only, in some
        # versions: require what the running stdlib has)
        if hasattr(std, name):
            assert hasattr(ctx, name), name
        assert hasattr(mpmod, name), name
    assert ctx.ProcessError is mpmod.ProcessError
    assert ctx.current_process() is mpmod.current_process()


def test_process_classes_share_a_base(mpmod):
    for method in ('fork', 'spawn'):
        p = mpmod.get_context(method).Process(target=targets.noop)
        assert isinstance(p, mpmod.process.BaseProcess)
    assert isinstance(mpmod.Process(target=targets.noop), mpmod.process.BaseProcess)
    assert isinstance(mpmod.current_process(), mpmod.process.BaseProcess)


def test_unknown_method(mpmod):
    std = stdlib_error(lambda: multiprocessing.get_context('bogus'))
    with pytest.raises(type(std)) as info:
        mpmod.get_context('bogus')
    assert str(info.value) == str(std) == "cannot find context for 'bogus'"
    with pytest.raises(type(std)):
        mpmod.set_start_method('bogus', force=True)
    with pytest.raises(type(std)):
        mpmod.get_context('fork').get_context('bogus')


def test_forkserver_context(mpmod):
    ctx = mpmod.get_context('forkserver')
    std = multiprocessing.get_context('forkserver')
    assert ctx.get_start_method() == 'forkserver'
    assert type(ctx).__name__ == type(std).__name__ == 'ForkServerContext'
    assert ctx.Process.__name__ == std.Process.__name__ == 'ForkServerProcess'
    assert 'forkserver' in mpmod.get_all_start_methods()


def test_set_forkserver_preload_checks_its_argument(mpmod):
    std = stdlib_error(lambda: multiprocessing.set_forkserver_preload([1]))
    with pytest.raises(type(std)) as info:
        mpmod.set_forkserver_preload([1])
    assert str(info.value) == str(std)
    ctx = mpmod.get_context('forkserver')
    with pytest.raises(type(std)):
        ctx.set_forkserver_preload(['os', 2])
    ctx.set_forkserver_preload(['__main__'])    # the default, put back


def test_concrete_context_cannot_set_start_method(mpmod):
    std = stdlib_error(lambda: multiprocessing.get_context('spawn').set_start_method('fork'))
    with pytest.raises(type(std)) as info:
        mpmod.get_context('spawn').set_start_method('fork')
    assert str(info.value) == str(std)


def test_get_all_start_methods(mpmod):
    std = multiprocessing.get_all_start_methods()
    mine = mpmod.get_all_start_methods()
    assert isinstance(mine, list)
    assert mine == std
    assert set(mine) == {'fork', 'spawn', 'forkserver'}


# -- the global start method -------------------------------------------------


def test_set_start_method_rules(mpmod):
    mpmod.set_start_method(None, force=True)  # back to "not chosen"
    assert mpmod.get_start_method(allow_none=True) is None
    mpmod.set_start_method('spawn')  # first choice: allowed
    assert mpmod.get_start_method() == 'spawn'
    assert mpmod.get_start_method(allow_none=True) == 'spawn'
    with pytest.raises(RuntimeError, match='^context has already been set$'):
        mpmod.set_start_method('fork')
    with pytest.raises(RuntimeError, match='^context has already been set$'):
        mpmod.set_start_method('spawn')
    mpmod.set_start_method('fork', force=True)
    assert mpmod.get_start_method() == 'fork'
    mpmod.set_start_method(None, force=True)
    assert mpmod.get_start_method(allow_none=True) is None


def test_get_start_method_fixes_the_choice(mpmod):
    """Asking for the start method (without allow_none) settles it."""
    mpmod.set_start_method(None, force=True)
    default = mpmod.get_start_method()
    assert mpmod.get_start_method(allow_none=True) == default
    with pytest.raises(RuntimeError, match='context has already been set'):
        mpmod.set_start_method(default)


def test_get_context_none_fixes_the_choice_like_the_stdlib(mpmod):
    mpmod.set_start_method(None, force=True)
    ctx = mpmod.get_context()
    assert ctx.get_start_method() == mpmod.get_start_method()
    # the stdlib settles the choice when get_context() is called
    saved = multiprocessing.get_start_method(allow_none=True)
    try:
        multiprocessing.set_start_method(None, force=True)
        multiprocessing.get_context()
        std_settled = multiprocessing.get_start_method(allow_none=True) is not None
    finally:
        multiprocessing.set_start_method(saved, force=True)
    mpmod.set_start_method(None, force=True)
    mpmod.get_context()
    assert (mpmod.get_start_method(allow_none=True) is not None) == std_settled


def test_default_start_method_matches_the_stdlib():
    code = (
        "import importlib, os; "
        "m = importlib.import_module(os.environ['TEST_MP_IMPL']); "
        "print(m.get_start_method(allow_none=True), m.get_start_method())"
    )
    std = targets.run_python(['-c', code], impl_name='stdlib')
    mine = targets.run_python(['-c', code], impl_name='teachmp')
    assert std.returncode == 0, std.stderr
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout == std.stdout
    assert std.stdout.split()[0] == 'None'


@pytest.mark.parametrize('method', ['fork', 'spawn', 'forkserver'])
def test_module_level_process_follows_set_start_method(mpmod, method):
    """After set_start_method, ``mod.Process`` starts children that way.

    A forked child sees the parent's changed module globals; a spawned child
    re-imports the module and sees its initial value, and so does a child of
    the fork server (forked from a process that never saw the change).
    """
    mpmod.set_start_method(method, force=True)
    old = targets.__dict__.get('MARK')
    targets.MARK = 'changed in parent'
    try:
        a, b = mpmod.Pipe()
        p = mpmod.Process(target=targets.report_mark, args=(b, mpmod.__name__))
        p.start()
        b.close()
        mark, child_method = recv(a)
        p.join(TIMEOUT)
        a.close()
    finally:
        targets.MARK = old
    assert p.exitcode == 0
    assert mark == ('changed in parent' if method == 'fork' else 'initial')
    assert child_method == method


def test_context_process_ignores_the_global_choice(mpmod):
    mpmod.set_start_method('fork', force=True)
    old = targets.__dict__.get('MARK')
    targets.MARK = 'changed in parent'
    try:
        ctx = mpmod.get_context('spawn')
        a, b = ctx.Pipe()
        p = ctx.Process(target=targets.report_mark, args=(b, mpmod.__name__))
        p.start()
        b.close()
        mark, child_method = recv(a)
        p.join(TIMEOUT)
        a.close()
    finally:
        targets.MARK = old
    assert (mark, child_method) == ('initial', 'spawn')
    assert mpmod.get_start_method() == 'fork'


def test_start_method_in_child(mp, impl, start_method):
    a, b = mp.Pipe()
    p = mp.Process(target=targets.report_mark, args=(b, impl.__name__))
    p.start()
    b.close()
    _, child_method = recv(a)
    p.join(TIMEOUT)
    a.close()
    assert child_method == start_method
    assert os.getpid() != p.pid
