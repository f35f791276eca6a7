"""The spawn start method: what the fresh child interpreter imports.

Programs in ``tests/programs/`` run in a new interpreter three ways:

* ``stdlib``      ``python PROG`` (the program imports multiprocessing);
* ``teachmp``     ``python PROG`` with ``TEST_MP_IMPL=teachmp`` (the program
  imports teachmp instead);
* ``teachmp-run`` ``python -m teachmp run PROG`` (unmodified program).

The stdlib's output is the expectation: teachmp must print the same
(after normalising pids and addresses) and exit with the same code.
"""

from __future__ import annotations

import functools
import multiprocessing
import threading

import pytest

import targets
from support import normalise

HOWS = ['stdlib', 'teachmp', 'teachmp-run']

BOOTSTRAP_SENTENCE = (
    'An attempt has been made to start a new process before the current '
    'process has finished its bootstrapping phase.'
)


def run(how, *args, module=False):
    """Run a program (or ``-m module``) the way *how* says."""
    if module:
        args = ('-m', *args)
    if how == 'stdlib':
        return targets.run_python(list(args), impl_name='stdlib')
    if how == 'teachmp':
        return targets.run_python(list(args), impl_name='teachmp')
    return targets.run_python(['-m', 'teachmp', 'run', *args])


@functools.lru_cache(maxsize=None)
def stdlib_result(*args, module=False):
    return run('stdlib', *args, module=module)


def assert_same_as_stdlib(result, expected):
    assert result.returncode == expected.returncode, result.stderr
    assert normalise(result.stdout, pids=True) == normalise(expected.stdout, pids=True), \
        result.stderr


@pytest.mark.parametrize('how', HOWS)
@pytest.mark.parametrize('method', ['spawn', 'fork', 'forkserver'])
def test_script_functions_reach_the_child(how, method):
    result = run(how, 'spawn_main.py', method)
    expected = stdlib_result('spawn_main.py', method)
    assert_same_as_stdlib(result, expected)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    if method in ('spawn', 'forkserver'):
        # the script is imported again, under another name, in the child
        # (forkserver: by the child, or once by the server that preloads it)
        assert lines[:2] == [
            'module-level code runs as __main__',
            'module-level code runs as __mp_main__',
        ]
        assert "('__mp_main__', True, '__mp_main__', Payload([1, 2]), 'worker')" in lines[2]
    else:
        assert lines[0] == 'module-level code runs as __main__'
        # (the stdlib aliases __mp_main__ to __main__ in every process)
        assert "('__main__', True, '__main__', Payload([1, 2]), 'worker')" in lines[1]
    assert lines[-1] == 'exitcode 0'


@pytest.mark.parametrize('how', HOWS)
@pytest.mark.parametrize('method', ['spawn', 'fork', 'forkserver'])
def test_python_dash_m_package_module(how, method):
    result = run(how, 'mpkg.main', method, module=True)
    expected = stdlib_result('mpkg.main', method, module=True)
    assert_same_as_stdlib(result, expected)
    assert result.stdout.splitlines()[-1] == 'exitcode 0'


@pytest.mark.parametrize('how', HOWS)
@pytest.mark.parametrize('method', ['spawn', 'forkserver'])
def test_program_without_main_guard(how, method):
    """forkserver has spawn's rule: the script runs again before the child
    does (in the child, or in the server that preloads it)."""
    result = run(how, 'no_guard.py', method)
    expected = stdlib_result('no_guard.py', method)
    assert_same_as_stdlib(result, expected)
    assert result.stdout.splitlines() == [
        'top of module: __main__',
        'top of module: __mp_main__',
        'exitcode 1',
    ]
    # the child explains what went wrong, with the stdlib's words
    for err in (expected.stderr, result.stderr):
        squashed = targets.squash(err)
        assert 'RuntimeError' in squashed
        assert BOOTSTRAP_SENTENCE in squashed
        assert "if __name__ == '__main__':" in squashed
        assert 'hello from the child' not in result.stdout


DASH_C_IMPORTABLE = """
import importlib, os
mp = importlib.import_module(os.environ['TEST_MP_IMPL'])
import targets
if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    a, b = ctx.Pipe()
    p = ctx.Process(target=targets.send_back, args=(b, 'from -c'))
    p.start(); b.close()
    print(a.recv() if a.poll(30) else 'nothing')
    p.join(30); a.close()
    print('exitcode', p.exitcode)
"""

DASH_C_LOCAL = """
import importlib, os
mp = importlib.import_module(os.environ['TEST_MP_IMPL'])
def f():
    print('never printed')
if __name__ == '__main__':
    p = mp.get_context('spawn').Process(target=f)
    p.start()
    p.join(30)
    print('exitcode', p.exitcode)
"""


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
def test_python_dash_c_with_importable_target(which):
    result = targets.run_python(['-c', DASH_C_IMPORTABLE], impl_name=which)
    expected = targets.run_python(['-c', DASH_C_IMPORTABLE], impl_name='stdlib')
    assert_same_as_stdlib(result, expected)
    assert result.stdout.splitlines() == ["(('from -c',), {})", 'exitcode 0']


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
def test_python_dash_c_with_function_defined_in_main(which):
    """``-c`` has no file to re-import: a function defined there cannot be
    found in the spawned child, which fails (exit code 1)."""
    result = targets.run_python(['-c', DASH_C_LOCAL], impl_name=which)
    expected = targets.run_python(['-c', DASH_C_LOCAL], impl_name='stdlib')
    assert_same_as_stdlib(result, expected)
    assert result.stdout.splitlines() == ['exitcode 1']
    last = result.stderr.strip().splitlines()[-1]
    expected_last = expected.stderr.strip().splitlines()[-1]
    assert last.split(':')[0] == expected_last.split(':')[0] == 'AttributeError'
    assert "'f'" in last


# -- in-process: what the spawned child receives --------------------------------


def test_child_gets_cwd_and_sys_path(mpmod):
    import os
    import sys

    ctx = mpmod.get_context('spawn')
    a, b = ctx.Pipe()
    p = ctx.Process(target=targets.report_environment, args=(b,))
    p.start()
    b.close()
    assert a.poll(20)
    info = a.recv()
    p.join(20)
    a.close()
    assert info['cwd'] == os.getcwd()
    assert info['argv'] == sys.argv
    for entry in sys.path:
        if entry:
            assert entry in info['path'], entry
    # a fresh interpreter: the test process's modules are not there
    assert info['has_pytest'] is False


def test_unpickling_error_in_the_child(mp, capfd):
    """An argument that pickles but cannot be rebuilt: the child fails with
    exit code 1 (spawn, forkserver) -- under fork nothing is pickled, all is
    well."""
    p = mp.Process(target=targets.take, args=(targets.FailsToUnpickle(),))
    p.start()
    p.join(20)
    err = capfd.readouterr().err
    if mp.get_start_method() in ('spawn', 'forkserver'):
        assert p.exitcode == 1
        assert 'RuntimeError: cannot be rebuilt in the child' in err
    else:
        assert p.exitcode == 0


# -- objects that cannot travel ------------------------------------------------------


def _local_function():
    def inner():
        pass

    return inner


UNPICKLABLE = {
    'lambda-target': lambda: {'target': lambda: None},
    'local-target': lambda: {'target': _local_function()},
    'lock-argument': lambda: {'target': targets.noop, 'args': (threading.Lock(),)},
    'generator-kwarg': lambda: {'target': targets.noop, 'kwargs': {'g': (i for i in ())}},
}


def _start_error(mod, make_kwargs):
    ctx = mod.get_context('spawn')
    p = ctx.Process(**make_kwargs())
    try:
        p.start()
    except Exception as exc:  # noqa: BLE001
        return p, exc
    p.join(20)
    return p, None


@pytest.mark.parametrize('case', list(UNPICKLABLE))
def test_unpicklable_target_or_args(mpmod, case):
    _, std_exc = _start_error(multiprocessing, UNPICKLABLE[case])
    assert std_exc is not None, 'the stdlib accepted it'
    p, exc = _start_error(mpmod, UNPICKLABLE[case])
    assert type(exc) is type(std_exc), (exc, std_exc)
    # nothing was started, nothing is left behind
    assert not p.is_alive()
    assert p.exitcode is None
    assert p.pid is None
    assert p not in mpmod.active_children()
    assert mpmod.active_children() == []


def test_fork_does_not_pickle(mpmod):
    """The same objects are fine under fork (nothing is pickled)."""
    ctx = mpmod.get_context('fork')
    p = ctx.Process(target=lambda *args: None, args=(threading.Lock(),))
    p.start()
    p.join(20)
    assert p.exitcode == 0
