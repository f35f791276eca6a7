"""Custom managers: ``register``, AutoProxy, ``exposed``, ``method_to_typeid``,
custom proxy types, and servers reached by address (``get_server`` /
``connect``), teachmp against the stdlib.

The manager classes are built per implementation in ``manager_targets``
(children and server processes find them there by name).
"""

from __future__ import annotations

import gc
import importlib
import re

import pytest

import manager_targets as targets
from impls import IMPLS, START_METHODS, load_impl
from support import TIMEOUT


def norm(text):
    return re.sub(r'0x[0-9a-fA-F]+', '0xADDR', text)


def managers_of(impl_name):
    return importlib.import_module(IMPLS[impl_name] + '.managers')


def collect():
    for _ in range(3):
        gc.collect()


@pytest.fixture(params=['teachmp', 'stdlib'])
def custom(request):
    """A started CustomManager (server forked) and its implementation's name."""
    classes = targets.build_custom_managers(request.param)
    m = classes['CustomManager'](ctx=load_impl(request.param).get_context('fork'))
    m.start()
    m.impl_name = request.param
    m.classes = classes
    yield m
    collect()
    m.shutdown()
    m.join(TIMEOUT)


def test_autoproxy(custom):
    maths = custom.Maths()
    assert maths.add(4, 3) == 7
    assert maths.mul(7, 8) == 56
    assert type(maths).__name__ == 'AutoProxy[Maths]'
    assert norm(repr(maths)) == "<AutoProxy[Maths] object, typeid 'Maths' at 0xADDR>"
    assert norm(str(maths)) == '<manager_targets.Maths object at 0xADDR>'
    assert sorted(maths._exposed_) == ['add', 'mul']
    assert maths._getvalue().add(1, 1) == 2
    with pytest.raises(TypeError):
        maths.add(1)


def test_exposed(custom):
    RemoteError = managers_of(custom.impl_name).RemoteError
    # by default: the public methods only
    w = custom.Widget('a')
    assert w.public() == 'public a'
    assert w.other() == 'other'
    assert not hasattr(w, '_private')
    with pytest.raises(RemoteError) as info:
        w._callmethod('_private')
    assert '_private' in str(info.value)
    # exposed= chooses, private names included
    we = custom.WidgetExposed('b')
    assert sorted(we._exposed_) == ['_private', 'public']
    assert we._private() == 'private b'
    assert we.public() == 'public b'
    assert not hasattr(we, 'other')
    with pytest.raises(RemoteError):
        we._callmethod('other')
    # a refusal does not spoil the connection
    assert we.public() == 'public b'


def test_exceptions_from_methods(custom):
    RemoteError = managers_of(custom.impl_name).RemoteError
    w = custom.Widget()
    with pytest.raises(IndexError, match='list index out of range'):
        w.fail_index()
    with pytest.raises(targets.CustomError) as info:
        w.fail_custom()
    assert info.value.args == ('custom', 42)
    with pytest.raises(RemoteError) as info:
        w.unpicklable()
    assert 'Unserializable message' in str(info.value)
    assert w.public() == 'public w'


def test_generator_proxy(custom):
    GeneratorProxy = custom.classes['GeneratorProxy']
    it = custom.squares(5)
    assert type(it) is GeneratorProxy
    assert norm(repr(it)) == (
        "<%s object, typeid 'squares' at 0xADDR>" % GeneratorProxy.__name__
    )
    assert iter(it) is it
    assert next(it) == 0
    assert list(it) == [1, 4, 9, 16]
    with pytest.raises(StopIteration):
        next(it)


def test_module_as_referent(custom):
    op = custom.operator()
    assert op.add(23, 45) == 68
    assert op.pow(2, 94) == 2**94
    assert 'add' in op._exposed_ and 'pow' in op._exposed_
    assert not any(name.startswith('_') for name in op._exposed_)


def test_method_to_typeid(custom):
    collect()
    base = custom._number_of_objects()
    root = custom.Node('root')
    child = root.child('a')
    # the server kept the new Node and sent back a proxy for it
    assert type(child).__name__ == 'AutoProxy[NodeRef]'
    assert norm(repr(child)) == (
        "<AutoProxy[NodeRef] object, typeid 'NodeRef' at 0xADDR>"
    )
    assert child.get_label() == 'a'
    grandchild = child.child('b')
    assert grandchild.get_label() == 'b'
    assert root.count_children() == 1 and child.count_children() == 1
    # a proxy type registered with create_method=False
    walker = root.walk()
    assert type(walker) is custom.classes['GeneratorProxy']
    assert list(walker) == ['a']
    assert not hasattr(type(custom), 'NodeIter')
    assert not hasattr(type(custom), 'NodeRef')
    assert hasattr(type(custom), 'Node')
    assert custom._number_of_objects() == base + 4
    del root, child, grandchild, walker
    collect()
    assert custom._number_of_objects() == base


def test_custom_proxies_in_children(custom, start_method_param):
    impl = load_impl(custom.impl_name)
    ctx = impl.get_context(start_method_param)
    calls = [
        (custom.Maths(), 'mul', (6, 7), ('ok', 42)),
        (custom.Widget('c'), 'fail_index', (), ('error', 'IndexError')),
        (custom.squares(3), '__next__', (), ('ok', 0)),
    ]
    for proxy, name, args, expected in calls:
        r, w = ctx.Pipe(duplex=False)
        p = ctx.Process(target=targets.call_method, args=(proxy, name, args, w))
        p.start()
        w.close()
        assert r.poll(TIMEOUT)
        assert r.recv() == expected
        r.close()
        p.join(TIMEOUT)
        assert p.exitcode == 0


@pytest.fixture(params=START_METHODS)
def start_method_param(request):
    return request.param


def test_register_is_per_class(impl_name):
    managers = managers_of(impl_name)
    classes = targets.build_custom_managers(impl_name)
    assert 'Maths' in classes['CustomManager']._registry
    assert 'Maths' not in managers.BaseManager._registry
    assert not hasattr(managers.BaseManager, 'Maths')
    assert 'Maths' not in managers.SyncManager._registry
    assert 'list' in managers.SyncManager._registry
    assert 'list' not in managers.BaseManager._registry


@pytest.mark.parametrize('impl_name', ['teachmp', 'stdlib'])
def test_unknown_serializer(impl_name):
    with pytest.raises(KeyError):
        managers_of(impl_name).BaseManager(serializer='bogus')


@pytest.mark.parametrize('impl_name', ['teachmp', 'stdlib'])
def test_get_server_address(impl_name):
    classes = targets.build_custom_managers(impl_name)
    m = classes['CustomManager'](address=('127.0.0.1', 0), authkey=b'k')
    server = m.get_server()
    try:
        host, port = server.address
        assert host == '127.0.0.1' and port > 0
    finally:
        server.listener.close()


def test_remote_queue_manager(impl_name, mp):
    """The docs' remote QueueManager: a server by address, two clients."""
    classes = targets.build_custom_managers(impl_name)
    impl = load_impl(impl_name)
    authkey = b'abracadabra'
    r, w = mp.Pipe(duplex=False)
    server = mp.Process(target=targets.serve_queue_manager, args=(impl_name, w, authkey))
    server.start()
    w.close()
    try:
        assert r.poll(TIMEOUT), 'server did not report its address'
        address = r.recv()
        r.close()
        assert address[0] == '127.0.0.1' and address[1] > 0
        clients = [
            mp.Process(
                target=targets.queue_client_put,
                args=(impl_name, address, authkey, [f'{i}-{n}' for n in range(3)]),
            )
            for i in range(2)
        ]
        for c in clients:
            c.start()
        for c in clients:
            c.join(TIMEOUT)
            assert c.exitcode == 0
        m = classes['QueueClient'](address=address, authkey=authkey)
        m.connect()
        q = m.get_queue()
        got = sorted(q.get(timeout=TIMEOUT) for _ in range(6))
        assert got == ['0-0', '0-1', '0-2', '1-0', '1-1', '1-2']
        assert q.empty()
        del q
        collect()
        bad = classes['QueueClient'](address=address, authkey=b'wrong')
        with pytest.raises(impl.AuthenticationError):
            bad.connect()
    finally:
        server.terminate()
        server.join(TIMEOUT)
        if server.is_alive():
            server.kill()
            server.join(TIMEOUT)
