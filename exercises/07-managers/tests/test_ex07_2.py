"""Tests of exercise 07.2: a tiny key-value server, reachable by address and authkey."""
import multiprocessing as mp

import pytest

import helpers07

pytestmark = [pytest.mark.ex07_2, pytest.mark.timeout(60)]

KEY = b'test key 07.2'


@pytest.fixture
def server(ex):
    manager = ex.start_kv_server(('127.0.0.1', 0), KEY)
    try:
        yield manager
    finally:
        manager.shutdown()
    assert mp.active_children() == []


def test_kvstore_in_this_process(ex):
    s = ex.KVStore()
    assert s.keys() == []
    assert s.get('a') is None and s.get('a', 5) == 5
    s.set('b', [1, 2])
    s.set('a', 1)
    s.set('a', 2)
    assert s.get('a') == 2 and s.get('b') == [1, 2]
    assert s.keys() == ['a', 'b']
    s.delete('a')
    assert s.keys() == ['b']
    with pytest.raises(KeyError):
        s.delete('a')


def test_server_listens_on_a_real_port(ex, server):
    host, port = server.address
    assert host == '127.0.0.1' and port != 0
    assert len(mp.active_children()) == 1, 'start() runs the server in one child'


def test_client_in_this_process(ex, server):
    store = ex.kv_client(server.address, KEY)
    store.set('x', 1)
    assert store.get('x') == 1
    assert store.keys() == ['x']
    with pytest.raises(KeyError):           # raised in the server, re-raised here
        store.delete('missing')
    assert len(mp.active_children()) == 1, 'kv_client must connect(), not start()'


def test_every_client_sees_the_same_store(ex, server):
    first = ex.kv_client(server.address, KEY)
    second = ex.kv_client(server.address, KEY)
    first.set('shared', 'yes')
    assert second.get('shared') == 'yes'
    second.delete('shared')
    assert first.keys() == []


def test_one_process_writes_another_reads(ex, server):
    writer = mp.Process(target=helpers07.write_keys,
                        args=(ex.kv_client, server.address, KEY,
                              [('a', 1), ('b', 'two'), ('c', (3,))]))
    writer.start()
    writer.join(30)
    assert writer.exitcode == 0
    mine, theirs = mp.Pipe(duplex=False)
    reader = mp.Process(target=helpers07.read_keys,
                        args=(ex.kv_client, server.address, KEY, ['a', 'b', 'c', 'd'], theirs))
    reader.start()
    theirs.close()
    assert mine.poll(30), 'the reader sent nothing'
    values, keys = mine.recv()
    reader.join(30)
    assert values == [1, 'two', (3,), None]
    assert keys == ['a', 'b', 'c']


def test_a_spawned_process_connects_by_address(ex, server):
    ctx = mp.get_context('spawn')
    writer = ctx.Process(target=helpers07.write_keys,
                         args=(ex.kv_client, server.address, KEY, [('from', 'spawn')]))
    writer.start()
    writer.join(30)
    assert writer.exitcode == 0
    assert ex.kv_client(server.address, KEY).get('from') == 'spawn'


def test_wrong_authkey_is_refused(ex, server):
    with pytest.raises(mp.AuthenticationError):
        ex.kv_client(server.address, b'not the key')


def test_two_servers_are_independent(ex, server):
    other = ex.start_kv_server(('127.0.0.1', 0), KEY)
    try:
        assert other.address != server.address
        ex.kv_client(server.address, KEY).set('k', 1)
        assert ex.kv_client(other.address, KEY).get('k') is None
    finally:
        other.shutdown()
