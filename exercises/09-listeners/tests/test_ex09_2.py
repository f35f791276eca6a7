"""Tests of exercise 09.2: an echo service that serves several clients at once."""
import multiprocessing as mp
from multiprocessing.connection import Client, Listener

import pytest

from helpers09 import Background

pytestmark = [pytest.mark.ex09_2, pytest.mark.timeout(60)]

KEY = b'test key 09.2'


def connect(address, server, key=KEY):
    """Client(address, authkey=key), giving up at once if the server thread
    has died (a Client would otherwise wait for a handshake forever)."""
    client = Background(Client, address, 'AF_INET', key)
    for _ in range(1000):
        client.thread.join(0.01)
        if not client.thread.is_alive():
            return client.finish()
        if not server.thread.is_alive():
            server.finish()                 # raises what serve() raised
            pytest.fail('serve() returned before accepting every client')
    pytest.fail('the server did not accept the client within 10 s')


def ask(conn, message):
    conn.send(message)
    assert conn.poll(10), 'no answer within 10 s'
    return conn.recv()


@pytest.fixture
def listener():
    with Listener(('127.0.0.1', 0), authkey=KEY) as listener:
        yield listener


def test_three_clients_each_get_their_own_answers(ex, listener):
    server = Background(ex.serve, listener, 3)
    clients = [connect(listener.address, server) for _ in range(3)]
    # Out of order, and while the other clients stay connected and silent:
    # a server that serves one client until it leaves would hang here.
    assert ask(clients[2], 'c') == (2, 'c')
    assert ask(clients[0], 'a') == (0, 'a')
    assert ask(clients[1], ['b', 1]) == (1, ['b', 1])
    assert ask(clients[0], 'a again') == (0, 'a again')
    clients[0].close()
    assert ask(clients[2], {'still': 'here'}) == (2, {'still': 'here'})
    clients[2].close()
    clients[1].close()
    assert server.finish() == 5


def test_a_client_with_the_wrong_key_does_not_count(ex, listener):
    server = Background(ex.serve, listener, 1)
    with pytest.raises(mp.AuthenticationError):
        connect(listener.address, server, b'not the key')
    assert server.thread.is_alive(), 'serve() must keep accepting after a failed handshake'
    conn = connect(listener.address, server)
    assert ask(conn, 'hello') == (0, 'hello')
    conn.close()
    assert server.finish() == 1


def test_a_client_that_never_leaves_times_out(ex, listener):
    server = Background(ex.serve, listener, 1, 0.5)
    conn = connect(listener.address, server)
    assert ask(conn, 'hi') == (0, 'hi')
    with pytest.raises(TimeoutError):
        server.finish()
    assert conn.poll(5), 'serve() must close the connections it gives up on'
    with pytest.raises(EOFError):
        conn.recv()
    conn.close()


@pytest.mark.parametrize('method', ['fork', 'spawn'])
def test_server_process_and_three_client_threads(ex, method):
    ctx = mp.get_context(method)
    process, address = ex.start_server(3, KEY, ctx)
    try:
        assert isinstance(address, tuple) and address[1] != 0
        scripts = [[f'{name}{i}' for i in range(20)] for name in 'xyz']
        clients = [Background(ex.echo_client, address, KEY, script) for script in scripts]
        results = [client.finish(20) for client in clients]
        process.join(10)
        assert process.exitcode == 0
    finally:
        if process.is_alive():
            process.kill()
            process.join()
    numbers = set()
    for script, answers in zip(scripts, results):
        assert [message for _, message in answers] == script, 'answers to someone else'
        assert len({number for number, _ in answers}) == 1, 'one client, one number'
        numbers.add(answers[0][0])
    assert numbers == {0, 1, 2}


def test_echo_client_against_a_plain_listener(ex, listener):
    def one_client():
        with listener.accept() as conn:
            while True:
                try:
                    conn.send(('seen', conn.recv()))
                except EOFError:
                    return 'done'
    server = Background(one_client)
    assert ex.echo_client(listener.address, KEY, [1, 2, 3]) == \
        [('seen', 1), ('seen', 2), ('seen', 3)]
    assert server.finish() == 'done', 'echo_client must close its connection'
