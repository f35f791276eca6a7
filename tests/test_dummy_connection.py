"""dummy.connection's Listener and Client (threads, queues as addresses),
and the module constants of connection, on both implementations."""

import importlib
import sys
import threading

import pytest

from impls import IMPLS


@pytest.fixture(params=list(IMPLS))
def name(request):
    return request.param


def test_dummy_listener_and_client_talk_between_threads(name):
    dc = importlib.import_module(IMPLS[name] + '.dummy.connection')
    assert sorted(dc.__all__) == ['Client', 'Listener', 'Pipe']
    answers = []
    with dc.Listener() as listener:
        def serve():
            conn = listener.accept()
            conn.send(('echo', conn.recv()))
            answers.append(conn.poll(0.0))
        t = threading.Thread(target=serve)
        t.start()
        client = dc.Client(listener.address)
        client.send('ping')
        assert client.poll(20)
        assert client.recv() == ('echo', 'ping')
        t.join(20)
    assert answers == [False]
    assert listener.address is None         # closed


def test_connection_constants(name):
    c = importlib.import_module(IMPLS[name] + '.connection')
    assert (c.BUFSIZE, c.CONNECTION_TIMEOUT) == (8192, 20.0)
    assert isinstance(c.MESSAGE_LENGTH, int)
    handshake = [hasattr(c, n) for n in ('CHALLENGE', 'WELCOME', 'FAILURE')]
    assert handshake == [sys.version_info < (3, 12)] * 3
    if sys.version_info < (3, 12):
        assert (c.CHALLENGE, c.WELCOME, c.FAILURE) == (
            b'#CHALLENGE#', b'#WELCOME#', b'#FAILURE#')
