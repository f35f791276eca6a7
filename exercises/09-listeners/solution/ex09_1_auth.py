"""Exercise 09.1: the authentication handshake of Listener and Client.

Uses: hmac, os.urandom and a Connection's send_bytes/recv_bytes.  Before a
Listener and a Client trust each other, each proves to the other that it
knows the shared *authkey* -- without ever sending the key.  One round, run
once in each direction:

1. the challenger sends ``#CHALLENGE#`` + ``{sha256}`` + 40 random bytes;
2. the answerer replies ``{sha256}`` + HMAC-SHA256(authkey, message), where
   *message* is everything after ``#CHALLENGE#`` (the prefix included);
3. the challenger checks the reply and sends ``#WELCOME#`` or ``#FAILURE#``.

Python 3.11 and older speak a legacy form: a 20-byte challenge with no
``{digest}`` prefix, and a bare 16-byte HMAC-MD5 as the reply (also when
they answer a modern challenge).  Accept both, and a real
``multiprocessing.connection`` Listener or Client of any version will talk
to you.
"""
import hmac
import os

from multiprocessing import AuthenticationError

CHALLENGE = b'#CHALLENGE#'
WELCOME = b'#WELCOME#'
FAILURE = b'#FAILURE#'
MESSAGE_LENGTH = 40         # random bytes in a challenge we send
LEGACY_CHALLENGE = 20       # random bytes in a challenge from Python <= 3.11
LEGACY_REPLY = 16           # bytes in an HMAC-MD5 reply (Python <= 3.11)
DIGESTS = (b'md5', b'sha256', b'sha384', b'sha3_256', b'sha3_384')
MAX_MESSAGE = 256           # handshake messages are small: refuse bigger ones


def split_digest(data):
    """``b"{sha256}xyz"`` -> ``("sha256", b"xyz")``; a legacy message of 20
    (a challenge) or 16 (a reply) bytes -> ``("", data)``.  Anything else
    raises AuthenticationError.  (A helper for the two functions below: the
    tests do not call it.)"""
    if len(data) in (LEGACY_CHALLENGE, LEGACY_REPLY):
        return '', data
    if data.startswith(b'{'):
        end = data.find(b'}')
        if end > 0 and data[1:end] in DIGESTS:
            return data[1:end].decode('ascii'), data[end + 1:]
    raise AuthenticationError('not a handshake message: %r' % data[:20])


def deliver_challenge(conn, authkey):
    """Challenge the peer on ``conn``.  Return None if it proved that it
    knows ``authkey`` (after sending WELCOME); otherwise send FAILURE and
    raise AuthenticationError."""
    message = b'{sha256}' + os.urandom(MESSAGE_LENGTH)
    conn.send_bytes(CHALLENGE + message)
    reply = conn.recv_bytes(MAX_MESSAGE)
    try:
        name, mac = split_digest(reply)
        expected = hmac.new(authkey, message, name or 'md5').digest()
        if not hmac.compare_digest(expected, mac):
            raise AuthenticationError('digest received was wrong')
    except AuthenticationError:
        conn.send_bytes(FAILURE)
        raise
    conn.send_bytes(WELCOME)


def answer_challenge(conn, authkey):
    """Answer the peer's challenge on ``conn``.  Return None if the peer
    welcomed us; raise AuthenticationError if it refused, or if what it
    sent is not a challenge."""
    data = conn.recv_bytes(MAX_MESSAGE)
    if not data.startswith(CHALLENGE):
        raise AuthenticationError('expected a challenge, got %r' % data[:20])
    message = data[len(CHALLENGE):]
    name, _ = split_digest(message)
    if name:
        reply = b'{%s}' % name.encode('ascii') + hmac.new(authkey, message, name).digest()
    else:
        reply = hmac.new(authkey, message, 'md5').digest()
    conn.send_bytes(reply)
    if conn.recv_bytes(MAX_MESSAGE) != WELCOME:
        raise AuthenticationError('digest sent was rejected')
