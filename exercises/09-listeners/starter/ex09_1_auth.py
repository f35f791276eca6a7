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
    raise NotImplementedError('exercise 09.1: split_digest()')


def deliver_challenge(conn, authkey):
    """Challenge the peer on ``conn``.  Return None if it proved that it
    knows ``authkey`` (after sending WELCOME); otherwise send FAILURE and
    raise AuthenticationError."""
    raise NotImplementedError('exercise 09.1: deliver_challenge()')


def answer_challenge(conn, authkey):
    """Answer the peer's challenge on ``conn``.  Return None if the peer
    welcomed us; raise AuthenticationError if it refused, or if what it
    sent is not a challenge."""
    raise NotImplementedError('exercise 09.1: answer_challenge()')
