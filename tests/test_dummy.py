"""``teachmp.dummy`` against ``multiprocessing.dummy``: the process API on
threads.  Every test runs on both and asserts the same observable result."""

from __future__ import annotations

import array
import importlib
import queue
import threading

import pytest
from support import TIMEOUT


@pytest.fixture(params=['teachmp', 'stdlib'])
def dummy(request):
    name = {'teachmp': 'teachmp.dummy', 'stdlib': 'multiprocessing.dummy'}[request.param]
    return importlib.import_module(name)


API = ['Process', 'DummyProcess', 'current_process', 'active_children',
       'freeze_support', 'Lock', 'RLock', 'Semaphore', 'BoundedSemaphore',
       'Condition', 'Event', 'Barrier', 'Queue', 'JoinableQueue', 'Pipe',
       'Value', 'Array', 'Namespace', 'Manager', 'shutdown', 'connection']


def test_names_present(dummy):
    missing = [name for name in API if not hasattr(dummy, name)]
    assert missing == []


def test_synchronization_is_threading(dummy):
    assert dummy.Semaphore is threading.Semaphore
    assert dummy.BoundedSemaphore is threading.BoundedSemaphore
    assert dummy.Condition is threading.Condition
    assert dummy.Event is threading.Event
    assert dummy.Barrier is threading.Barrier
    assert type(dummy.Lock()) is type(threading.Lock())
    assert type(dummy.RLock()) is type(threading.RLock())
    assert dummy.Queue is queue.Queue


def test_current_process_is_the_thread(dummy):
    assert dummy.current_process() is threading.current_thread()
    assert dummy.current_process().name == 'MainThread'
    seen = []
    p = dummy.Process(target=lambda: seen.append(dummy.current_process()), name='w')
    p.start()
    p.join(TIMEOUT)
    assert seen == [p]


def test_process_life_cycle(dummy):
    out = []
    p = dummy.Process(target=out.append, args=(1,), name='worker')
    assert isinstance(p, threading.Thread)
    assert type(p).__name__ == 'DummyProcess'
    assert (p.name, p.exitcode, p.is_alive(), p.daemon) == ('worker', None, False, False)
    p.start()
    p.join(TIMEOUT)
    assert out == [1]
    assert (p.exitcode, p.is_alive()) == (0, False)
    with pytest.raises(RuntimeError):
        p.start()
    kw = []
    q = dummy.Process(target=lambda **k: kw.append(k), kwargs={'a': 1})
    q.daemon = True
    assert q.daemon is True
    q.start()
    q.join(TIMEOUT)
    assert kw == [{'a': 1}]


def test_active_children(dummy):
    assert dummy.active_children() == []
    go = threading.Event()
    p = dummy.Process(target=go.wait, args=(TIMEOUT,))
    p.start()
    try:
        assert dummy.active_children() == [p]
    finally:
        go.set()
        p.join(TIMEOUT)
    assert dummy.active_children() == []


def test_pipe(dummy):
    a, b = dummy.Pipe()
    try:
        assert b.poll() is False
        assert b.poll(0.01) is False
        a.send([1, 'two'])
        assert b.poll() is True
        assert b.recv() == [1, 'two']
        b.send('back')
        assert a.recv() == 'back'
        # between threads
        t = threading.Thread(target=lambda: b.send(b.recv() * 2))
        t.start()
        a.send(21)
        assert a.poll(TIMEOUT) and a.recv() == 42
        t.join(TIMEOUT)
    finally:
        a.close()
        b.close()
    r, w = dummy.Pipe(duplex=False)
    w.send('one way')
    assert r.recv() == 'one way'


def test_queue(dummy):
    q = dummy.Queue()
    q.put(1)
    q.put('x')
    assert q.qsize() == 2
    assert q.get(timeout=TIMEOUT) == 1
    assert q.get_nowait() == 'x'
    assert q.empty()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.01)
    jq = dummy.JoinableQueue()
    jq.put(1)
    jq.get()
    jq.task_done()
    jq.join()


def test_value_and_array(dummy):
    v = dummy.Value('i', 1)
    v.value += 1
    assert v.value == 2
    assert repr(v) == "<Value('i', 2)>"
    with pytest.raises(TypeError):
        dummy.Value('d')  # the value is required
    arr = dummy.Array('i', [1, 2, 3])
    assert isinstance(arr, array.array)
    assert arr == array.array('i', [1, 2, 3])
    assert arr[1:] == array.array('i', [2, 3])
    with pytest.raises(TypeError):
        dummy.Array('i', 3)  # a sequence, not a size


def test_namespace_and_manager(dummy):
    ns = dummy.Namespace(b=2, a=1)
    ns.c = 3
    assert (ns.a, ns.b, ns.c) == (1, 2, 3)
    assert repr(ns) == 'Namespace(a=1, b=2, c=3)'
    assert dummy.Manager() is dummy
    assert dummy.shutdown() is None
    assert dummy.freeze_support() is None


def test_locks_shared_by_threads(dummy):
    lock = dummy.Lock()
    counter = dummy.Value('i', 0)

    def work():
        for _ in range(1000):
            with lock:
                counter.value += 1

    threads = [dummy.Process(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert counter.value == 4000


def test_start_from_another_thread_refused(dummy):
    p = dummy.Process(target=lambda: None)
    errors = []

    def starter():
        try:
            p.start()
        except RuntimeError as exc:
            errors.append(str(exc))

    t = threading.Thread(target=starter)
    t.start()
    t.join(TIMEOUT)
    assert len(errors) == 1 and errors[0].startswith('Parent is ')
    assert 'but current_process is' in errors[0]


def test_connection_api(dummy):
    a, b = dummy.Pipe()
    with a, b:
        a.send_bytes(b'raw')
        assert b.recv_bytes() == b'raw'
        b.send(None)
        assert a.poll(TIMEOUT) is True and a.recv() is None
