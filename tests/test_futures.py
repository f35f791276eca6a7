"""``concurrent.futures.ProcessPoolExecutor`` on teachmp, two ways.

1. An unmodified program (tests/programs/futures_prog.py) run as
   ``python futures_prog.py`` (the stdlib) and as ``python -m teachmp run
   futures_prog.py``: the same output, apart from the line naming the engine
   (which must say teachmp -- else the test could not fail).
2. ``ProcessPoolExecutor(mp_context=impl.get_context(method))`` for both
   implementations and every start method: submit, map with chunksize,
   exceptions with their remote traceback, initializer, max_tasks_per_child,
   shutdown(cancel_futures=True), a killed worker, and calls or results that
   cannot be pickled.  The executor is the stdlib's own code in every case;
   what differs is the ``multiprocessing`` underneath it (its Queue and
   SimpleQueue, Process, sentinels and wait()).

Every blocking call has a timeout, and ``shutdown`` runs under a watch so
that a hang fails the test instead of stopping the suite.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import concurrent.futures.process as cfp
import contextlib
import pickle
import sys
import threading

import pytest

import futures_targets as ft
import targets
from impls import IMPL_METHOD_PARAMS, load_impl

TIMEOUT = 30
ROOT_MODULE = {'teachmp': 'teachmp', 'stdlib': 'multiprocessing'}


# -- 1. an unmodified program -------------------------------------------------


@pytest.mark.timeout(180)
def test_unmodified_program_same_output():
    stdlib = targets.run_program('stdlib', 'futures_prog.py', timeout=150)
    teachmp = targets.run_program('teachmp', 'futures_prog.py', timeout=150)
    assert stdlib.returncode == 0, stdlib.stderr
    assert teachmp.returncode == 0, teachmp.stderr
    s_lines = stdlib.stdout.splitlines()
    t_lines = teachmp.stdout.splitlines()
    assert s_lines[0] == 'engine multiprocessing'
    assert t_lines[0] == 'engine teachmp'
    assert t_lines[1:] == s_lines[1:]
    # the program really did everything it says (not just "both empty")
    for method in ('fork', 'spawn', 'forkserver'):
        assert f'== {method}' in t_lines
    assert t_lines.count('cause _RemoteTraceback') == 3
    assert sum(line.startswith('killed BrokenProcessPool') for line in t_lines) == 3


# -- 2. mp_context=impl.get_context(method) -----------------------------------


@pytest.fixture(params=IMPL_METHOD_PARAMS)
def ctx(request):
    name, method = request.param
    context = load_impl(name).get_context(method)
    context.impl_name = name    # contexts are plain objects: note who made it
    return context


def shutdown_within(ex, timeout=TIMEOUT, **kw):
    """``ex.shutdown(**kw)``, failing the test if it does not return."""
    watch = threading.Thread(target=ex.shutdown, kwargs=kw, name='shutdown-watch',
                             daemon=True)
    watch.start()
    watch.join(timeout)
    if watch.is_alive():
        pytest.fail(f'ProcessPoolExecutor.shutdown({kw}) hung')


@contextlib.contextmanager
def executor(ctx, workers=2, **kw):
    ex = cf.ProcessPoolExecutor(workers, mp_context=ctx, **kw)
    try:
        yield ex
    finally:
        shutdown_within(ex)


def assert_runs_on(ex, ctx):
    """The workers are processes of the implementation under test."""
    procs = list(ex._processes.values())
    assert procs, 'no worker started'
    for proc in procs:
        assert type(proc).__module__.split('.')[0] == ROOT_MODULE[ctx.impl_name]


def test_submit(ctx):
    with executor(ctx) as ex:
        assert ex.submit(ft.add, 2, y=3).result(TIMEOUT) == 5
        assert_runs_on(ex, ctx)


def test_map_with_chunksize(ctx):
    with executor(ctx) as ex:
        assert list(ex.map(ft.square, range(50), chunksize=7, timeout=TIMEOUT)) == [
            x * x for x in range(50)]
        assert list(ex.map(ft.add, range(5), range(10, 15), chunksize=2,
                           timeout=TIMEOUT)) == [10, 12, 14, 16, 18]


def test_exception_has_remote_traceback(ctx):
    with executor(ctx) as ex:
        exc = ex.submit(ft.fail_with, 'told to fail').exception(TIMEOUT)
        assert type(exc) is ValueError and str(exc) == 'told to fail'
        cause = exc.__cause__
        assert type(cause) is cfp._RemoteTraceback
        # the worker's traceback, as text: where it was raised, and the error
        assert 'in fail_with' in cause.tb
        assert 'ValueError: told to fail' in cause.tb
        # map raises the first failure when its result is reached
        results = ex.map(ft.fail_with, ['first', 'second'], timeout=TIMEOUT)
        with pytest.raises(ValueError, match='first'):
            list(results)


def test_initializer_with_initargs(ctx):
    with executor(ctx, initializer=ft.remember, initargs=('hello',)) as ex:
        assert list(ex.map(ft.remembered, range(4), timeout=TIMEOUT)) == [
            ('hello', i) for i in range(4)]


def test_failing_initializer_breaks_the_pool(ctx):
    with executor(ctx, initializer=ft.failing_initializer) as ex:
        future = ex.submit(ft.square, 2)
        with pytest.raises(cfp.BrokenProcessPool):
            future.result(TIMEOUT)
        with pytest.raises(cfp.BrokenProcessPool):
            ex.submit(ft.square, 3)


@pytest.mark.skipif(sys.version_info < (3, 11), reason='max_tasks_per_child is 3.11+')
def test_max_tasks_per_child(ctx):
    if ctx.get_start_method() == 'fork':
        # the executor refuses it with fork, whoever provides the context
        with pytest.raises(ValueError, match="incompatible with the 'fork'"):
            cf.ProcessPoolExecutor(1, mp_context=ctx, max_tasks_per_child=2)
        return
    with executor(ctx, workers=1, max_tasks_per_child=2) as ex:
        # one call at a time: map() with max_tasks_per_child hangs on the
        # stdlib itself (gh-115634)
        pids = [ex.submit(ft.pid_of).result(TIMEOUT) for _ in range(6)]
    assert sorted(collections.Counter(pids).values()) == [2, 2, 2]


def test_shutdown_cancel_futures(ctx):
    event = ctx.Event()
    ex = cf.ProcessPoolExecutor(1, mp_context=ctx, initializer=ft.remember,
                                initargs=(None, event))
    try:
        first = ex.submit(ft.wait_for_event, 'first')
        rest = [ex.submit(ft.square, i) for i in range(20)]
        manager = ex._executor_manager_thread
        ex.shutdown(wait=False, cancel_futures=True)
        with pytest.raises(RuntimeError, match='after shutdown'):
            ex.submit(ft.square, 1)
        event.set()
        assert first.result(TIMEOUT) == ('first', True)
        # the calls already moved to the call queue (at most max_workers + 1)
        # escape the cancellation and run to completion; the rest are cancelled
        for i, f in enumerate(rest):
            assert f.cancelled() or f.result(TIMEOUT) == i * i
        assert sum(f.cancelled() for f in rest) >= len(rest) - 2
    finally:
        event.set()
        # shutdown(wait=False) forgot the manager thread: a second shutdown
        # would not wait for it, so wait here (it joins the workers)
        manager.join(TIMEOUT)
        assert not manager.is_alive(), "the executor's manager thread hung"


def test_killed_worker_gives_broken_pool(ctx):
    with executor(ctx) as ex:
        future = ex.submit(ft.kill_myself)
        with pytest.raises(cfp.BrokenProcessPool):
            future.result(TIMEOUT)
        with pytest.raises(cfp.BrokenProcessPool):
            ex.submit(ft.square, 3)


def unpicklable_errors():
    return (pickle.PicklingError, AttributeError, TypeError)


@pytest.mark.parametrize('where', ['argument', 'function'])
def test_unpicklable_call_fails_its_future(ctx, where):
    """The queue feeder hands the pickling error to the executor's
    ``_on_queue_feeder_error``: the future fails, the pool goes on."""
    with executor(ctx) as ex:
        if where == 'argument':
            future = ex.submit(ft.square, lambda: 1)
        else:
            future = ex.submit(lambda: 1)
        exc = future.exception(TIMEOUT)
        assert isinstance(exc, unpicklable_errors()), repr(exc)
        assert ex.submit(ft.square, 4).result(TIMEOUT) == 16


def test_unpicklable_result_fails_its_future(ctx):
    with executor(ctx) as ex:
        exc = ex.submit(ft.unpicklable_result).exception(TIMEOUT)
        assert isinstance(exc, unpicklable_errors()), repr(exc)
        assert ex.submit(ft.square, 5).result(TIMEOUT) == 25


def test_call_that_fails_to_unpickle_in_the_worker(ctx):
    """The worker dies reading its call: the pool is broken, nothing hangs."""
    with executor(ctx) as ex:
        future = ex.submit(ft.square, ft.PicklesLate())
        with pytest.raises(cfp.BrokenProcessPool):
            future.result(TIMEOUT)
