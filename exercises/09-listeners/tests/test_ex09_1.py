"""Tests of exercise 09.1: deliver_challenge / answer_challenge, byte by byte
against a scripted peer, then against a REAL multiprocessing Listener and
Client.  The real ones speak whatever form the running Python speaks (the
legacy MD5 form up to 3.11, the {digest} form from 3.12): the tests pass on
both, because the exercise asks you to accept both."""
import hmac
import os
import multiprocessing as mp
from multiprocessing.connection import Client, Listener

import pytest

from helpers09 import Background, wait_for_message

pytestmark = [pytest.mark.ex09_1, pytest.mark.timeout(30)]

KEY = b'test key 09.1'
CHALLENGE, WELCOME, FAILURE = b'#CHALLENGE#', b'#WELCOME#', b'#FAILURE#'


@pytest.fixture
def pipe():
    """Two ends of a duplex Pipe: ``ours`` for the exercise, ``peer`` scripted."""
    ours, peer = mp.Pipe()
    yield ours, peer
    ours.close()
    peer.close()


# -- answer_challenge against a scripted challenger ---------------------------

def test_answers_a_modern_challenge(ex, pipe):
    ours, peer = pipe
    message = b'{sha256}' + os.urandom(40)
    peer.send_bytes(CHALLENGE + message)
    answering = Background(ex.answer_challenge, ours, KEY)
    assert wait_for_message(peer, answering), 'no reply to the challenge'
    reply = peer.recv_bytes()
    assert reply == b'{sha256}' + hmac.new(KEY, message, 'sha256').digest()
    peer.send_bytes(WELCOME)
    assert answering.finish() is None


@pytest.mark.parametrize('digest', ['sha384', 'md5'])
def test_answers_with_the_digest_it_was_asked_for(ex, pipe, digest):
    ours, peer = pipe
    message = b'{%s}' % digest.encode() + os.urandom(40)
    peer.send_bytes(CHALLENGE + message)
    answering = Background(ex.answer_challenge, ours, KEY)
    assert wait_for_message(peer, answering), 'no reply to the challenge'
    assert peer.recv_bytes() == b'{%s}' % digest.encode() + hmac.new(KEY, message, digest).digest()
    peer.send_bytes(WELCOME)
    answering.finish()


def test_answers_a_legacy_challenge_with_bare_md5(ex, pipe):
    ours, peer = pipe
    message = os.urandom(20)                    # Python <= 3.11: no prefix
    peer.send_bytes(CHALLENGE + message)
    answering = Background(ex.answer_challenge, ours, KEY)
    assert wait_for_message(peer, answering), 'no reply to the challenge'
    assert peer.recv_bytes() == hmac.new(KEY, message, 'md5').digest()
    peer.send_bytes(WELCOME)
    answering.finish()


def test_answer_raises_on_failure(ex, pipe):
    ours, peer = pipe
    peer.send_bytes(CHALLENGE + b'{sha256}' + os.urandom(40))
    answering = Background(ex.answer_challenge, ours, KEY)
    assert wait_for_message(peer, answering), 'no reply to the challenge'
    peer.recv_bytes()
    peer.send_bytes(FAILURE)
    with pytest.raises(mp.AuthenticationError):
        answering.finish()


def test_answer_refuses_something_that_is_not_a_challenge(ex, pipe):
    ours, peer = pipe
    peer.send_bytes(b'#HELLO#' + os.urandom(40))
    with pytest.raises(mp.AuthenticationError):
        Background(ex.answer_challenge, ours, KEY).finish()
    assert not peer.poll(0), 'nothing may be sent back to a stranger'


# -- deliver_challenge against a scripted answerer ----------------------------

def read_challenge(peer, delivering):
    assert wait_for_message(peer, delivering), 'no challenge was sent'
    data = peer.recv_bytes()
    assert data.startswith(CHALLENGE + b'{sha256}')
    message = data[len(CHALLENGE):]
    assert len(message) == len(b'{sha256}') + 40, '40 random bytes after {sha256}'
    return message


def test_challenges_are_random(ex):
    seen = set()
    for _ in range(3):
        ours, peer = mp.Pipe()
        delivering = Background(ex.deliver_challenge, ours, KEY)
        seen.add(read_challenge(peer, delivering))
        peer.close()                            # makes deliver_challenge fail
        with pytest.raises((EOFError, OSError)):
            delivering.finish()
        ours.close()
    assert len(seen) == 3


def test_deliver_welcomes_a_modern_reply(ex, pipe):
    ours, peer = pipe
    delivering = Background(ex.deliver_challenge, ours, KEY)
    message = read_challenge(peer, delivering)
    peer.send_bytes(b'{sha256}' + hmac.new(KEY, message, 'sha256').digest())
    assert peer.poll(10) and peer.recv_bytes() == WELCOME
    assert delivering.finish() is None


def test_deliver_welcomes_a_legacy_md5_reply(ex, pipe):
    # What Python 3.11 sends to a modern challenge: a bare HMAC-MD5 of the
    # whole message after #CHALLENGE#, prefix included.
    ours, peer = pipe
    delivering = Background(ex.deliver_challenge, ours, KEY)
    message = read_challenge(peer, delivering)
    peer.send_bytes(hmac.new(KEY, message, 'md5').digest())
    assert peer.poll(10) and peer.recv_bytes() == WELCOME
    delivering.finish()


@pytest.mark.parametrize('reply', ['wrong key', 'wrong digest', 'garbage', 'empty'])
def test_deliver_sends_failure_and_raises(ex, pipe, reply):
    ours, peer = pipe
    delivering = Background(ex.deliver_challenge, ours, KEY)
    message = read_challenge(peer, delivering)
    peer.send_bytes({
        'wrong key': b'{sha256}' + hmac.new(b'other', message, 'sha256').digest(),
        'wrong digest': b'{sha384}' + hmac.new(KEY, message, 'sha256').digest(),
        'garbage': b'hello, I am definitely the right peer',
        'empty': b'',
    }[reply])
    assert peer.poll(10) and peer.recv_bytes() == FAILURE
    with pytest.raises(mp.AuthenticationError):
        delivering.finish()


def test_deliver_refuses_a_huge_reply(ex, pipe):
    # A handshake message is tiny: a reply of a megabyte is refused
    # (recv_bytes(maxlength) raises OSError) -- it is never welcomed.
    ours, peer = pipe
    delivering = Background(ex.deliver_challenge, ours, KEY)
    read_challenge(peer, delivering)
    sending = Background(peer.send_bytes, b'x' * (1 << 20))
    with pytest.raises((mp.AuthenticationError, OSError)):
        delivering.finish()
    ours.close()                                # unblocks the big write
    try:
        sending.finish()
    except OSError:                             # broken pipe: expected
        pass
    try:
        last = peer.recv_bytes() if peer.poll(0) else None
    except (EOFError, OSError):
        last = None
    assert last != WELCOME


def test_the_key_never_crosses_the_wire(ex, pipe):
    ours, peer = pipe
    key = b'K' * 32
    delivering = Background(ex.deliver_challenge, ours, key)
    seen = read_challenge(peer, delivering)
    peer.send_bytes(b'{sha256}' + hmac.new(key, seen, 'sha256').digest())
    assert peer.recv_bytes() == WELCOME
    delivering.finish()
    peer.send_bytes(CHALLENGE + b'{sha256}' + os.urandom(40))
    answering = Background(ex.answer_challenge, ours, key)
    assert wait_for_message(peer, answering)
    assert key not in peer.recv_bytes()
    peer.send_bytes(WELCOME)
    answering.finish()


# -- against the real multiprocessing.connection ------------------------------

def accept_and_echo(listener):
    """Accept one client (the Listener runs its own handshake), echo once."""
    with listener.accept() as conn:
        conn.send(('echo', conn.recv()))


@pytest.mark.parametrize('family', ['AF_INET', 'AF_UNIX'])
def test_we_are_the_client_of_a_real_listener(ex, family):
    address = ('127.0.0.1', 0) if family == 'AF_INET' else None
    with Listener(address, family, authkey=KEY) as listener:
        server = Background(accept_and_echo, listener)
        with Client(listener.address) as conn:      # no authkey: we do it
            ex.answer_challenge(conn, KEY)          # the Listener challenges first
            ex.deliver_challenge(conn, KEY)         # then we challenge it
            conn.send([1, 'two'])
            assert conn.poll(10)
            assert conn.recv() == ('echo', [1, 'two'])
        server.finish()


def test_a_real_listener_refuses_our_wrong_key(ex):
    with Listener(('127.0.0.1', 0), authkey=KEY) as listener:
        server = Background(listener.accept)
        with Client(listener.address) as conn:
            with pytest.raises(mp.AuthenticationError):
                ex.answer_challenge(conn, b'not the key')
        with pytest.raises(mp.AuthenticationError):
            server.finish()


def serve_one_with(ex, listener, key):
    with listener.accept() as conn:             # no authkey: we do it
        ex.deliver_challenge(conn, key)         # we challenge the Client first
        ex.answer_challenge(conn, key)
        conn.send(('echo', conn.recv()))


@pytest.mark.parametrize('family', ['AF_INET', 'AF_UNIX'])
def test_a_real_client_connects_to_us(ex, family):
    address = ('127.0.0.1', 0) if family == 'AF_INET' else None
    with Listener(address, family) as listener:
        server = Background(serve_one_with, ex, listener, KEY)
        with Client(listener.address, authkey=KEY) as conn:
            conn.send({'x': 1})
            assert conn.poll(10)
            assert conn.recv() == ('echo', {'x': 1})
        server.finish()


def test_a_real_client_with_the_wrong_key_is_refused(ex):
    with Listener(('127.0.0.1', 0)) as listener:
        server = Background(serve_one_with, ex, listener, KEY)
        with pytest.raises(mp.AuthenticationError):
            Client(listener.address, authkey=b'not the key')
        with pytest.raises(mp.AuthenticationError):
            server.finish()


def test_we_refuse_a_real_client_with_no_key(ex):
    # A Client without authkey sends its first message at once: that is not
    # an answer to our challenge, and it must not be unpickled or welcomed.
    with Listener(('127.0.0.1', 0)) as listener:
        server = Background(serve_one_with, ex, listener, KEY)
        with Client(listener.address) as conn:
            conn.send('let me in')
            with pytest.raises(mp.AuthenticationError):
                server.finish()


def child_connects(address, key, out):
    try:
        with Client(address, authkey=key) as conn:
            conn.send('from a child process')
            out.send(conn.recv())
    except mp.AuthenticationError:
        out.send('refused')


@pytest.mark.parametrize('key', [KEY, b'wrong'], ids=['right key', 'wrong key'])
def test_a_client_in_another_process(ex, key):
    with Listener(('127.0.0.1', 0)) as listener:
        server = Background(serve_one_with, ex, listener, KEY)
        reader, writer = mp.Pipe(duplex=False)
        child = mp.Process(target=child_connects, args=(listener.address, key, writer))
        child.start()
        writer.close()
        try:
            assert reader.poll(15), 'the child got no answer'
            got = reader.recv()
        finally:
            child.join(10)
            if child.is_alive():
                child.kill()
                child.join()
        if key == KEY:
            assert got == ('echo', 'from a child process')
            server.finish()
        else:
            assert got == 'refused'
            with pytest.raises(mp.AuthenticationError):
                server.finish()
