"""Listener and Client: addresses, families, errors, and interop with the stdlib.

Every test runs once with teachmp and once with the stdlib and expects the
same results; the interop tests put one of each on the two ends.  The
accepting side runs in a thread (joined with a timeout) so that nothing can
hang the test.
"""

from __future__ import annotations

import array
import os
import socket
import threading

import multiprocessing as std_mp
import multiprocessing.connection as std_connection
import pytest

import teachmp
import teachmp.connection as tm_connection
from support import TIMEOUT

MODS = {'teachmp': (tm_connection, teachmp), 'stdlib': (std_connection, std_mp)}


@pytest.fixture(params=list(MODS))
def cmod(request):
    """The implementation's ``connection`` module."""
    return MODS[request.param][0]


def top_of(cmod):
    """The implementation's top-level module (for AuthenticationError)."""
    return teachmp if cmod is tm_connection else std_mp


def in_thread(func, *args):
    """Run func(*args) in a thread; return a join() giving its result."""
    box = {}

    def body():
        try:
            box['result'] = func(*args)
        except BaseException as exc:  # noqa: BLE001
            box['error'] = exc

    t = threading.Thread(target=body, daemon=True)
    t.start()

    def join():
        t.join(TIMEOUT)
        assert not t.is_alive(), 'thread did not finish'
        if 'error' in box:
            raise box['error']
        return box.get('result')

    return join


def serve_once(listener, reply=True):
    """Accept one connection, echo one object and one bytes message."""
    conn = listener.accept()
    try:
        if not reply:
            return None
        assert conn.poll(TIMEOUT)
        conn.send(('echo', conn.recv()))
        assert conn.poll(TIMEOUT)
        conn.send_bytes(conn.recv_bytes() * 2)
        return listener.last_accepted
    finally:
        conn.close()


def talk(conn):
    conn.send({'answer': 42, 'list': [1, 2]})
    assert conn.poll(TIMEOUT)
    assert conn.recv() == ('echo', {'answer': 42, 'list': [1, 2]})
    conn.send_bytes(b'ab')
    assert conn.poll(TIMEOUT)
    assert conn.recv_bytes() == b'abab'


ADDRESSES = {
    'default': lambda: None,
    'inet': lambda: ('127.0.0.1', 0),
    'unix-path': lambda: None,  # filled in by the test (a tmp_path)
    'abstract': lambda: '\0teachmp-test-%d-%d' % (os.getpid(), threading.get_ident()),
}


@pytest.mark.parametrize('authkey', [None, b'secret'], ids=['nokey', 'key'])
@pytest.mark.parametrize('where', list(ADDRESSES))
def test_round_trip(cmod, where, authkey, tmp_path):
    address = ADDRESSES[where]()
    if where == 'unix-path':
        address = str(tmp_path / 'sock')
    with cmod.Listener(address, authkey=authkey) as listener:
        join = in_thread(serve_once, listener)
        with cmod.Client(listener.address, authkey=authkey) as conn:
            talk(conn)
        last = join()
        addr = listener.address
        if where == 'inet':
            assert addr[0] == '127.0.0.1' and addr[1] > 0
            assert type(last) is tuple and last[0] == '127.0.0.1'
        elif where == 'abstract':
            assert addr == address.encode()
        else:
            assert isinstance(addr, str) and os.path.exists(addr)
            if where == 'unix-path':
                assert addr == address
    if where in ('default', 'unix-path'):
        # the socket file goes away with the listener
        assert not os.path.exists(addr)


def test_family_deduced_and_defaults(cmod, tmp_path):
    with cmod.Listener(family='AF_INET') as listener:
        host, port = listener.address
        assert host == '127.0.0.1' and port > 0
        join = in_thread(listener.accept)
        # a tuple address means AF_INET for the client too
        with cmod.Client(('127.0.0.1', port)) as c:
            with join() as server_side:
                c.send_bytes(b'x')
                assert server_side.poll(TIMEOUT)
                assert server_side.recv_bytes() == b'x'
    with cmod.Listener(family='AF_UNIX') as listener:
        assert isinstance(listener.address, str)
        assert listener.last_accepted is None
        path = listener.address
        assert os.path.exists(path)
    assert not os.path.exists(path)
    with cmod.Listener(str(tmp_path / 's'), family='AF_UNIX', backlog=5) as listener:
        join = in_thread(listener.accept)
        with cmod.Client(str(tmp_path / 's'), family='AF_UNIX') as c:
            with join():
                pass
        # an unnamed AF_UNIX client: the stdlib reports it as ''
        assert listener.last_accepted == ''


def test_positional_arguments(cmod):
    # Listener(address, family, backlog, authkey); Client(address, family, authkey)
    with cmod.Listener(None, 'AF_INET', 3, b'pos') as listener:
        join = in_thread(listener.accept)
        with cmod.Client(listener.address, 'AF_INET', b'pos') as c:
            with join() as server_side:
                server_side.send('positional')
                assert c.poll(TIMEOUT) and c.recv() == 'positional'


def test_bad_arguments(cmod):
    with pytest.raises(ValueError, match='unrecognized family'):
        cmod.Listener(family='AF_BOGUS')
    with pytest.raises(ValueError):
        cmod.Listener(family='AF_PIPE')
    with pytest.raises(TypeError, match='unrecognized'):
        cmod.Listener(42)
    with pytest.raises(TypeError, match='unrecognized'):
        cmod.Client(42)
    with pytest.raises(TypeError, match='authkey should be a byte string'):
        cmod.Listener(authkey='text')
    with cmod.Listener(authkey=b'k') as listener:
        join = in_thread(listener.accept)
        with pytest.raises(TypeError, match='authkey should be a byte string'):
            cmod.Client(listener.address, authkey='text')
        # the listener sees the client go away
        with pytest.raises((EOFError, OSError)):
            join()


def test_connect_errors(cmod, tmp_path):
    with pytest.raises(FileNotFoundError):
        cmod.Client(str(tmp_path / 'nobody-here'))
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(ConnectionRefusedError):
        cmod.Client(('127.0.0.1', port))


def test_close_and_context_manager(cmod):
    listener = cmod.Listener()
    path = listener.address
    listener.close()
    listener.close()  # twice is fine
    assert not os.path.exists(path)
    with pytest.raises(OSError, match='listener is closed'):
        listener.accept()
    with cmod.Listener() as listener:
        pass
    with pytest.raises(OSError):
        listener.accept()


def test_wrong_key_fails_on_both_sides(cmod):
    top = top_of(cmod)
    with cmod.Listener(authkey=b'right') as listener:
        join = in_thread(listener.accept)
        with pytest.raises(top.AuthenticationError, match='digest sent was rejected'):
            cmod.Client(listener.address, authkey=b'wrong')
        with pytest.raises(top.AuthenticationError, match='digest received was wrong'):
            join()


def test_client_without_key_against_a_listener_with_key(cmod):
    top = top_of(cmod)
    with cmod.Listener(authkey=b'right') as listener:
        join = in_thread(listener.accept)
        with cmod.Client(listener.address) as c:
            # the client does not take part in the handshake: its first
            # message is taken as the answer, and refused
            c.send('hello')
            with pytest.raises(top.AuthenticationError):
                join()


def test_several_clients_one_listener(cmod):
    with cmod.Listener(('127.0.0.1', 0), backlog=8) as listener:
        clients = [cmod.Client(listener.address) for _ in range(5)]
        accepted = [listener.accept() for _ in clients]
        for i, c in enumerate(clients):
            c.send(i)
        assert sorted(a.recv() for a in accepted if a.poll(TIMEOUT)) == list(range(5))
        for c in clients + accepted:
            c.close()


def test_docs_array_example(cmod):
    """The documentation's Listener/Client example, in one process."""
    with cmod.Listener(('localhost', 0), authkey=b'secret password') as listener:

        def server():
            with listener.accept() as conn:
                conn.send([2.25, None, 'junk', float])
                conn.send_bytes(b'hello')
                conn.send_bytes(array.array('i', [42, 1729]))
                return listener.last_accepted

        join = in_thread(server)
        with cmod.Client(listener.address, authkey=b'secret password') as conn:
            assert conn.poll(TIMEOUT)
            assert conn.recv() == [2.25, None, 'junk', float]
            assert conn.recv_bytes() == b'hello'
            arr = array.array('i', [0, 0, 0, 0, 0])
            assert conn.recv_bytes_into(arr) == 8
            assert arr == array.array('i', [42, 1729, 0, 0, 0])
        assert join()[0] == '127.0.0.1'


# -- interop: a teachmp end and a stdlib end ---------------------------------

PAIRS = [
    pytest.param((tm_connection, std_connection), id='teachmp-listener-stdlib-client'),
    pytest.param((std_connection, tm_connection), id='stdlib-listener-teachmp-client'),
]


@pytest.mark.parametrize('authkey', [None, b'shared key'], ids=['nokey', 'key'])
@pytest.mark.parametrize('family', ['AF_INET', 'AF_UNIX'])
@pytest.mark.parametrize('pair', PAIRS)
def test_interop(pair, family, authkey):
    lmod, cmod_ = pair
    with lmod.Listener(family=family, authkey=authkey) as listener:
        join = in_thread(serve_once, listener)
        with cmod_.Client(listener.address, authkey=authkey) as conn:
            talk(conn)
        join()


@pytest.mark.parametrize('pair', PAIRS)
def test_interop_big_messages(pair):
    lmod, cmod_ = pair
    payload = bytes(range(256)) * 8192  # 2 MiB
    with lmod.Listener(authkey=b'k') as listener:

        def server():
            with listener.accept() as conn:
                assert conn.poll(TIMEOUT)
                data = conn.recv_bytes()
                conn.send(len(data))
                conn.send_bytes(data[::-1])

        join = in_thread(server)
        with cmod_.Client(listener.address, authkey=b'k') as conn:
            conn.send_bytes(payload)
            assert conn.poll(TIMEOUT)
            assert conn.recv() == len(payload)
            assert conn.recv_bytes() == payload[::-1]
        join()


@pytest.mark.parametrize('pair', PAIRS)
def test_interop_wrong_key(pair):
    lmod, cmod_ = pair
    listener_error = (
        teachmp.AuthenticationError
        if lmod is tm_connection
        else std_mp.AuthenticationError
    )
    client_error = (
        teachmp.AuthenticationError
        if cmod_ is tm_connection
        else std_mp.AuthenticationError
    )
    with lmod.Listener(authkey=b'right') as listener:
        join = in_thread(listener.accept)
        with pytest.raises(client_error):
            cmod_.Client(listener.address, authkey=b'wrong')
        with pytest.raises(listener_error):
            join()


def test_names_in_teachmp_connection():
    for name in ('Listener', 'Client', 'deliver_challenge', 'answer_challenge'):
        assert hasattr(tm_connection, name), name
        assert callable(getattr(tm_connection, name))
    assert issubclass(teachmp.AuthenticationError, teachmp.ProcessError)
