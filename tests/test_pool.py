"""Pool: the API and its error behaviour, compared with the stdlib.

Every test runs on teachmp and on the stdlib ``multiprocessing`` (fork and
spawn) and asserts the same observable result.  Pools are expensive to start
under spawn, so most tests share one 2-worker pool per implementation and
start method (the module-scoped ``sp`` fixture); only the tests about a
pool's life cycle, ``maxtasksperchild`` or bad arguments make their own.

The shared pool's initializer stores a tag and an Event (the *gate*): a task
``wait_gate(v)`` returns ``v`` only once the test opens the gate, which holds
a result back without any sleep.

Worker deaths are in ``test_pool_worker_death.py`` (teachmp only).
"""

from __future__ import annotations

import importlib
import queue
import re
import threading
from types import SimpleNamespace

import pytest

import queue_targets as qt
from impls import IMPL_METHOD_PARAMS, load_impl
from support import TIMEOUT

NOT_RUNNING = r'^Pool not running$'
TAG = 'init-arg'


def addr(text):
    return re.sub(r'0x[0-9a-fA-F]+', '0xADDR', text)


@pytest.fixture(scope='module', params=IMPL_METHOD_PARAMS)
def sp(request):
    """One running 2-worker pool per (implementation, start method)."""
    name, method = request.param
    impl = load_impl(name)
    ctx = impl.get_context(method)
    gate = ctx.Event()
    pool = ctx.Pool(2, initializer=qt.init_gate, initargs=(TAG, gate))
    yield SimpleNamespace(impl=impl, name=name, modname=impl.__name__,
                          method=method, ctx=ctx, pool=pool, gate=gate)
    pool.terminate()
    pool.join()


@pytest.fixture
def gate(sp):
    """The shared pool's gate, closed; opened again at the end of the test."""
    sp.gate.clear()
    yield sp.gate
    sp.gate.set()


def next_all(it, n):
    """n items from an IMapIterator, each fetched with a timeout."""
    return [it.next(timeout=TIMEOUT) for _ in range(n)]


def outcomes(it, n):
    """n steps of an iterator: values, or exception type names."""
    out = []
    for _ in range(n):
        try:
            if hasattr(it, 'next'):
                out.append(it.next(timeout=TIMEOUT))
            else:  # imap with chunksize > 1 returns a plain generator
                out.append(next(it))
        except StopIteration:
            out.append('StopIteration')
        except Exception as e:  # noqa: BLE001
            out.append(type(e).__name__)
    return out


# -- running work --------------------------------------------------------------


def test_apply_and_apply_async(sp):
    p = sp.pool
    assert p.apply(qt.square, (7,)) == 49
    assert p.apply(qt.add, (1,), {'b': 2}) == 3
    r = p.apply_async(qt.add, (), {'a': 'x', 'b': 'y'})
    assert r.get(timeout=TIMEOUT) == 'xy'
    assert r.ready() is True
    assert r.successful() is True
    assert r.wait(TIMEOUT) is None
    assert r.get(timeout=0) == 'xy'  # ready: no waiting at all


def test_map_starmap_imap_families(sp):
    p = sp.pool
    squares = [x * x for x in range(30)]
    assert p.map(qt.square, range(30)) == squares
    assert p.map(qt.square, range(30), chunksize=7) == squares
    assert p.map(qt.square, (x for x in range(30))) == squares  # no len()
    assert p.map(qt.square, []) == []
    assert p.map_async(qt.square, range(30), 4).get(TIMEOUT) == squares
    pairs = [(i, 10 * i) for i in range(12)]
    sums = [11 * i for i in range(12)]
    assert p.starmap(qt.add, pairs) == sums
    assert p.starmap(qt.add, pairs, chunksize=5) == sums
    assert p.starmap_async(qt.add, pairs).get(TIMEOUT) == sums
    assert list(p.imap(qt.square, range(30))) == squares
    assert list(p.imap(qt.square, range(30), chunksize=4)) == squares
    assert list(p.imap(qt.square, iter(range(30)), 7)) == squares
    assert sorted(p.imap_unordered(qt.square, range(30))) == squares
    assert sorted(p.imap_unordered(qt.square, range(30), chunksize=4)) == squares
    assert list(p.imap(qt.square, [])) == []
    it = p.imap(qt.square, [3])
    assert it.next(timeout=TIMEOUT) == 9
    with pytest.raises(StopIteration):
        it.next(timeout=TIMEOUT)


def test_chunk_boundaries(sp):
    # ChunkTagger tags each item with the chunk (task) it travelled in
    p, tagger = sp.pool, qt.ChunkTagger()
    sizes = qt.chunk_sizes
    # the default rule: ceil(len / (4 * number of workers)) -> 100/8 -> 13
    out = p.map(tagger, range(100))
    assert [x for _, x in out] == list(range(100))
    assert sizes(out) == [13] * 7 + [9]
    assert sizes(p.map(tagger, range(5))) == [1] * 5
    assert sizes(p.map(tagger, range(16))) == [2] * 8
    assert sizes(p.map(tagger, range(17))) == [3] * 5 + [2]
    assert sizes(p.map(tagger, iter(range(20)))) == [3] * 6 + [2]
    assert sizes(p.starmap(qt.ChunkTagger(), [(i,) for i in range(100)])) == [13] * 7 + [9]
    assert sizes(p.map_async(tagger, range(100)).get(TIMEOUT)) == [13] * 7 + [9]
    # explicit chunk sizes
    assert sizes(p.map(tagger, range(100), chunksize=30)) == [30, 30, 30, 10]
    assert sizes(p.map(tagger, range(10), 1)) == [1] * 10
    # imap: chunksize 1 unless told
    assert sizes(list(p.imap(tagger, range(10)))) == [1] * 10
    assert sizes(list(p.imap(tagger, range(10), chunksize=4))) == [4, 4, 2]
    unordered = list(p.imap_unordered(tagger, range(10), chunksize=4))
    assert sorted(sizes(unordered)) == [2, 4, 4]  # a chunk arrives whole
    assert sorted(x for _, x in unordered) == list(range(10))


def test_bad_chunksize_for_imap(sp):
    for method in (sp.pool.imap, sp.pool.imap_unordered):
        with pytest.raises(ValueError, match=r'^Chunksize must be 1\+, not 0$'):
            method(qt.square, range(3), 0)


def test_callbacks(sp):
    p = sp.pool
    got, errors = [], []
    r = p.apply_async(qt.square, (5,), callback=got.append, error_callback=errors.append)
    assert r.get(TIMEOUT) == 25
    assert got == [25] and errors == []  # called before get() returns
    r = p.apply_async(qt.fail_with_value_error, (1,), callback=got.append,
                      error_callback=errors.append)
    with pytest.raises(ValueError):
        r.get(TIMEOUT)
    assert r.successful() is False
    assert got == [25]
    assert [type(e) for e in errors] == [ValueError]
    assert str(errors[0]) == 'bad value 1'
    got.clear()
    errors.clear()
    r = p.map_async(qt.square, range(6), callback=got.append, error_callback=errors.append)
    assert r.get(TIMEOUT) == [0, 1, 4, 9, 16, 25]
    assert got == [[0, 1, 4, 9, 16, 25]] and errors == []
    r = p.starmap_async(qt.add, [(1, 2), (3, 4)], callback=got.append)
    assert r.get(TIMEOUT) == [3, 7]
    assert got[-1] == [3, 7]
    r = p.map_async(qt.inverse, [1, 0, 2], 1, callback=got.append,
                    error_callback=errors.append)
    with pytest.raises(ZeroDivisionError):
        r.get(TIMEOUT)
    assert len(got) == 2
    assert [type(e) for e in errors] == [ZeroDivisionError]


# -- waiting, timeouts, readiness --------------------------------------------------


def test_async_result_timeout_wait_ready_successful(sp, gate):
    p = sp.pool
    r = p.apply_async(qt.wait_gate, ('v',))
    with pytest.raises(sp.impl.TimeoutError) as info:
        r.get(timeout=0.05)
    assert type(info.value) is sp.impl.TimeoutError
    assert issubclass(sp.impl.TimeoutError, sp.impl.ProcessError)
    assert r.wait(0.05) is None
    assert r.ready() is False
    with pytest.raises(ValueError, match=r'not ready$'):
        r.successful()
    m = p.map_async(qt.wait_gate, ['a', 'b'], 1)
    with pytest.raises(sp.impl.TimeoutError):
        m.get(0.05)
    assert m.ready() is False
    gate.set()
    assert r.get(TIMEOUT) == 'v'
    assert r.successful() is True
    assert m.get(TIMEOUT) == ['a', 'b']


def test_imap_next_timeout(sp, gate):
    p = sp.pool
    for make in (p.imap, p.imap_unordered):
        gate.clear()
        it = make(qt.wait_gate, ['a'])
        with pytest.raises(sp.impl.TimeoutError) as info:
            it.next(timeout=0.05)
        assert type(info.value) is sp.impl.TimeoutError
        gate.set()
        assert it.next(timeout=TIMEOUT) == 'a'
        with pytest.raises(StopIteration):
            it.next(timeout=TIMEOUT)


# -- errors in workers ---------------------------------------------------------------


def check_remote_traceback(exc, func_name, last_line):
    cause = exc.__cause__
    assert type(cause).__name__ == 'RemoteTraceback'
    text = str(cause)
    assert text.startswith('\n"""\nTraceback (most recent call last):\n')
    assert text.endswith('"""')
    assert f', in {func_name}\n' in text
    assert last_line + '\n' in text


def test_worker_exception_reraised_with_remote_traceback(sp):
    p = sp.pool
    with pytest.raises(ValueError, match=r'^bad value 5$') as info:
        p.apply(qt.fail_with_value_error, (5,))
    check_remote_traceback(info.value, 'fail_with_value_error', 'ValueError: bad value 5')

    r = p.apply_async(qt.inverse, (0,))
    with pytest.raises(ZeroDivisionError):
        r.get(TIMEOUT)
    assert r.ready() is True and r.successful() is False

    with pytest.raises(ZeroDivisionError) as info:
        p.map(qt.inverse, [1, 2, 0, 4])
    check_remote_traceback(info.value, 'inverse', 'ZeroDivisionError: division by zero')


def test_starmap_error_type(sp):
    with pytest.raises(TypeError, match='unsupported operand'):
        sp.pool.starmap(qt.add, [(1, 2), (1, 'x')])


def test_imap_yields_the_error_at_its_position(sp):
    p = sp.pool
    assert outcomes(p.imap(qt.inverse, [1, 2, 0, 5]), 5) == [
        10.0, 5.0, 'ZeroDivisionError', 2.0, 'StopIteration']
    out = outcomes(p.imap_unordered(qt.inverse, [1, 2, 0, 5]), 5)
    assert sorted(map(str, out[:4])) == ['10.0', '2.0', '5.0', 'ZeroDivisionError']
    assert out[4] == 'StopIteration'
    # with chunks: the failed chunk's error in its place, then the end
    assert outcomes(p.imap(qt.inverse, [1, 2, 0, 5, 1], chunksize=2), 4) == [
        10.0, 5.0, 'ZeroDivisionError', 'StopIteration']
    it = p.imap(qt.inverse, [0])
    with pytest.raises(ZeroDivisionError) as info:
        it.next(timeout=TIMEOUT)
    check_remote_traceback(info.value, 'inverse', 'ZeroDivisionError: division by zero')


def test_unpicklable_result_is_reported(sp):
    p = sp.pool
    expected = ("Error sending result: '<unlocked _thread.lock object at 0xADDR>'. "
                "Reason: 'TypeError(\"cannot pickle '_thread.lock' object\")'")
    with pytest.raises(Exception) as info:
        p.apply(qt.return_unpicklable, (1,))
    assert type(info.value).__name__ == 'MaybeEncodingError'
    assert addr(str(info.value)) == expected
    with pytest.raises(Exception) as info:
        p.map(qt.return_unpicklable, [1, 2], chunksize=2)
    assert type(info.value).__name__ == 'MaybeEncodingError'
    assert addr(str(info.value)).startswith(
        "Error sending result: '[<unlocked _thread.lock object at 0xADDR>, ")
    # the workers survived it
    assert p.map(qt.square, range(4)) == [0, 1, 4, 9]


def test_unpicklable_argument_fails_that_result_only(sp):
    p = sp.pool
    r = p.apply_async(qt.square, (threading.Lock(),))
    with pytest.raises(TypeError, match=r"^cannot pickle '_thread.lock' object$"):
        r.get(TIMEOUT)
    assert r.successful() is False
    assert p.apply(qt.square, (3,)) == 9


def test_queue_as_a_task_argument_is_refused(sp):
    q = sp.ctx.Queue()
    r = sp.pool.apply_async(qt.square, (q,))
    with pytest.raises(RuntimeError, match='^Queue objects should only be shared '
                                           'between processes through inheritance$'):
        r.get(TIMEOUT)
    assert sp.pool.apply(qt.square, (5,)) == 25


# -- workers: names, initializer -----------------------------------------------------


def test_worker_names_and_initializer(sp):
    p = sp.pool
    prefix = {'fork': 'ForkPoolWorker', 'spawn': 'SpawnPoolWorker',
              'forkserver': 'ForkServerPoolWorker'}[sp.method]
    names = p.map(qt.process_name, [sp.modname] * 8, chunksize=1)
    for name in names:
        assert re.fullmatch(prefix + r'-\d+', name), name
    assert p.map(qt.get_tag, range(6), chunksize=1) == [TAG] * 6
    pids = set(p.map(qt.getpid, range(8), chunksize=1))
    assert 1 <= len(pids) <= 2


def test_pool_repr_and_module_names(sp):
    assert repr(sp.pool) == f'<{sp.modname}.pool.Pool state=RUN pool_size=2>'
    missing = []
    for name in ('Pool', 'ThreadPool', 'ApplyResult', 'AsyncResult', 'MapResult',
                 'IMapIterator', 'IMapUnorderedIterator', 'MaybeEncodingError',
                 'RemoteTraceback'):
        if not hasattr(sp.impl.pool, name):
            missing.append(name)
    assert missing == [], f'{sp.modname}.pool lacks {missing}'
    assert sp.impl.pool.AsyncResult is sp.impl.pool.ApplyResult


def test_result_object_reprs(sp, gate):
    p = sp.pool
    objs = {
        'ApplyResult': p.apply_async(qt.square, (1,)),
        'MapResult': p.map_async(qt.square, [1]),
        'IMapIterator': p.imap(qt.square, [1]),
        'IMapUnorderedIterator': p.imap_unordered(qt.square, [1]),
    }
    for kind, obj in objs.items():
        assert type(obj).__name__ == kind
        assert addr(repr(obj)) == f'<{sp.modname}.pool.{kind} object at 0xADDR>'
    objs['ApplyResult'].get(TIMEOUT)
    objs['MapResult'].get(TIMEOUT)
    list(objs['IMapIterator'])
    list(objs['IMapUnorderedIterator'])


# -- pools of their own: life cycle, maxtasksperchild, bad arguments ------------------


def test_close_then_join(mp, impl):
    pool = mp.Pool(2)
    try:
        with pytest.raises(ValueError, match=r'^Pool is still running$'):
            pool.join()
        pending = pool.map_async(qt.square, range(10))
        pool.close()
        assert addr(repr(pool)) == f'<{impl.__name__}.pool.Pool state=CLOSE pool_size=2>'
        for call in (lambda: pool.apply(qt.square, (1,)),
                     lambda: pool.apply_async(qt.square, (1,)),
                     lambda: pool.map(qt.square, [1]),
                     lambda: pool.map_async(qt.square, [1]),
                     lambda: pool.starmap(qt.add, [(1, 2)]),
                     lambda: pool.starmap_async(qt.add, [(1, 2)]),
                     lambda: pool.imap(qt.square, [1]),
                     lambda: pool.imap_unordered(qt.square, [1])):
            with pytest.raises(ValueError, match=NOT_RUNNING):
                call()
        with pytest.raises(ValueError, match=NOT_RUNNING):
            with pool:
                pass
        pool.close()  # twice is fine
        # work submitted before close() still completes
        assert pending.get(TIMEOUT) == [x * x for x in range(10)]
        joiner = threading.Thread(target=pool.join, daemon=True)
        joiner.start()
        joiner.join(TIMEOUT)
        assert not joiner.is_alive(), 'close() + join() did not finish'
    finally:
        pool.terminate()
        pool.join()


def test_context_manager_exit_terminates(mp, impl):
    with mp.Pool(2) as pool:
        assert pool.apply(qt.square, (3,)) == 9
        assert addr(repr(pool)) == f'<{impl.__name__}.pool.Pool state=RUN pool_size=2>'
    assert addr(repr(pool)) == f'<{impl.__name__}.pool.Pool state=TERMINATE pool_size=2>'
    with pytest.raises(ValueError, match=NOT_RUNNING):
        pool.apply(qt.square, (3,))
    with pytest.raises(ValueError, match=NOT_RUNNING):
        pool.imap(qt.square, [3])
    pool.terminate()  # again: harmless
    pool.join()


def test_maxtasksperchild_replaces_workers_and_reruns_initializer(mp, impl):
    pool = mp.Pool(2, initializer=qt.init_worker, initargs=('x', 1),
                   maxtasksperchild=1)
    try:
        out = pool.map(qt.pid_and_init, range(5), chunksize=1)
        pids = [pid for pid, _ in out]
        assert len(set(pids)) == 5, 'a worker ran more than one task'
        assert [init for _, init in out] == [('x', 1)] * 5
        assert pool.apply(qt.square, (4,)) == 16
        pool.close()
        joiner = threading.Thread(target=pool.join, daemon=True)
        joiner.start()
        joiner.join(TIMEOUT)
        assert not joiner.is_alive()
    finally:
        pool.terminate()
        pool.join()


def test_terminate_stops_busy_workers(mp, impl):
    gate = mp.Event()
    pool = mp.Pool(2, initializer=qt.init_gate, initargs=('t', gate))
    pending = [pool.apply_async(qt.wait_gate, (i,)) for i in range(4)]
    stopper = threading.Thread(target=pool.terminate, daemon=True)
    stopper.start()
    stopper.join(TIMEOUT)
    assert not stopper.is_alive(), 'terminate() waited for the busy workers'
    pool.join()
    assert addr(repr(pool)).endswith(' state=TERMINATE pool_size=2>')
    # (never set the gate now: the stdlib's Event.set() would wait for the
    # killed waiters to wake up)
    del pending


def test_queue_given_to_workers_by_initargs(mp):
    q = mp.Queue()
    pool = mp.Pool(2, initializer=qt.init_queue, initargs=(q,))
    try:
        assert pool.map(qt.put_on_init_queue, range(6), chunksize=1) == list(range(6))
        assert sorted(q.get(timeout=TIMEOUT) for _ in range(6)) == [0, 10, 20, 30, 40, 50]
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        pool.join()


def test_bad_pool_arguments(mpmod):
    with pytest.raises(ValueError, match=r'^Number of processes must be at least 1$'):
        mpmod.Pool(0)
    with pytest.raises(ValueError, match=r'^Number of processes must be at least 1$'):
        mpmod.Pool(processes=-2)
    for bad in (0, -1, 1.5, '3'):
        with pytest.raises(ValueError, match=r'^maxtasksperchild must be a positive int or None$'):
            mpmod.Pool(1, maxtasksperchild=bad)
    with pytest.raises(TypeError, match=r'^initializer must be a callable$'):
        mpmod.Pool(1, initializer=5)


def test_default_number_of_workers(mpmod):
    import os
    with mpmod.Pool() as pool:
        assert repr(pool).endswith(f' pool_size={os.cpu_count()}>')
        assert pool.apply(qt.square, (2,)) == 4
    pool.join()


# -- the thread version: <impl>.dummy ----------------------------------------------------


def test_dummy_queue_and_pool_parity(mpmod):
    dummy = importlib.import_module(mpmod.__name__ + '.dummy')
    assert dummy.Queue is queue.Queue
    assert dummy.JoinableQueue is queue.Queue
    with dummy.Pool(2) as pool:
        assert type(pool).__name__ == 'ThreadPool'
        assert isinstance(pool, mpmod.pool.ThreadPool)
        assert re.fullmatch(r'<[\w.]+\.ThreadPool state=RUN pool_size=2>', repr(pool))
        assert pool.map(qt.square, range(10)) == [x * x for x in range(10)]
        assert pool.starmap(qt.add, [(1, 2), (3, 4)]) == [3, 7]
        assert pool.apply_async(qt.add, ('a', 'b')).get(TIMEOUT) == 'ab'
        assert list(pool.imap(qt.square, range(5), 2)) == [0, 1, 4, 9, 16]
        assert sorted(pool.imap_unordered(qt.square, range(5))) == [0, 1, 4, 9, 16]
        # threads share memory: an unpicklable result is fine
        assert type(pool.apply(qt.return_unpicklable, (1,))).__name__ == 'lock'
        # no pickling, so no remote traceback either
        with pytest.raises(ZeroDivisionError) as info:
            pool.apply(qt.inverse, (0,))
        assert info.value.__cause__ is None
        r = pool.apply_async(qt.inverse, (0,))
        with pytest.raises(ZeroDivisionError):
            r.get(TIMEOUT)
        assert r.successful() is False
    with pytest.raises(ValueError, match=NOT_RUNNING):
        pool.apply(qt.square, (1,))
    pool.join()
