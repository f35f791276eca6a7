"""The HMAC handshake: prove you know the key without ever sending it.

When a ``Listener`` accepts a connection (or a ``Client`` connects), both
sides must show that they share an *authkey* before anything is unpickled --
unpickling data from a stranger can run arbitrary code.  The proof is a
challenge and a response, done once in each direction:

1. the challenger sends ``#CHALLENGE#`` followed by ``{sha256}`` and 40
   random bytes;
2. the other side answers ``{sha256}`` + HMAC-SHA256(authkey, everything
   after ``#CHALLENGE#``);
3. the challenger computes the same HMAC and answers ``#WELCOME#`` or
   ``#FAILURE#``.

The key never crosses the wire, and a recorded answer is useless next time
because the random bytes change.  The digest name is part of the
HMAC'd message, so a man in the middle cannot talk a peer down to a weaker
hash.  This is byte for byte the stdlib's protocol (Python 3.12+).

Python 3.11 and older speak the legacy form: a 20-byte challenge with no
``{digest}`` prefix, answered by a bare 16-byte HMAC-MD5.  Both directions
still work: a 20-byte challenge gets a bare MD5 answer, and a 16-byte answer
to our challenge is checked as HMAC-MD5 over the message we sent.

Every read in the handshake is small (``recv_bytes(256)``: a peer announcing
a gigabyte is refused before a byte of it is read) and bounded in time (see
``listener``), so a silent or babbling peer costs an error, not a hang.
"""

import hmac
import os

from teachmp.errors import AuthenticationError

MESSAGE_LENGTH = 40
CHALLENGE = b'#CHALLENGE#'
WELCOME = b'#WELCOME#'
FAILURE = b'#FAILURE#'
ALLOWED_DIGESTS = frozenset({b'md5', b'sha256', b'sha384', b'sha3_256', b'sha3_384'})
_LONGEST_DIGEST_NAME = max(map(len, ALLOWED_DIGESTS))   # computed once, not per message
_LEGACY_CHALLENGE_LENGTH = 20   # what Python <= 3.11 sends
_LEGACY_MD5_LENGTH = 16         # what Python <= 3.11 answers


def _split_digest(message):
    """``b'{sha256}xyz'`` -> ``('sha256', b'xyz')``; a legacy message -> ``('', msg)``."""
    if len(message) in (_LEGACY_CHALLENGE_LENGTH, _LEGACY_MD5_LENGTH):
        return '', message
    if message.startswith(b'{'):
        end = message.find(b'}', 1, _LONGEST_DIGEST_NAME + 2)
        if end > 0 and message[1:end] in ALLOWED_DIGESTS:
            return message[1:end].decode('ascii'), message[end + 1:]
    raise AuthenticationError(
        'unsupported message length, missing digest prefix, or unsupported '
        'digest: the peer does not speak the multiprocessing handshake')


def _response(authkey, message):
    digest_name = _split_digest(message)[0]
    if not digest_name:                     # a legacy (<= 3.11) challenger
        return hmac.new(authkey, message, 'md5').digest()
    mac = hmac.new(authkey, message, digest_name).digest()
    return b'{%s}%s' % (digest_name.encode('ascii'), mac)


def _check_key(authkey):
    if not isinstance(authkey, bytes):
        raise ValueError('Authkey must be bytes, not {0!s}'.format(type(authkey)))


def deliver_challenge(connection, authkey, digest_name='sha256'):
    """Challenge the peer; raise AuthenticationError unless it knows ``authkey``."""
    _check_key(authkey)
    message = b'{%s}%s' % (digest_name.encode('ascii'), os.urandom(MESSAGE_LENGTH))
    connection.send_bytes(CHALLENGE + message)
    response = connection.recv_bytes(256)       # refuse anything large
    try:
        digest_name, mac = _split_digest(response)
        expected = hmac.new(authkey, message, digest_name or 'md5').digest()
        if not hmac.compare_digest(expected, mac):
            raise AuthenticationError('digest received was wrong')
    except AuthenticationError:
        connection.send_bytes(FAILURE)
        raise
    connection.send_bytes(WELCOME)


def answer_challenge(connection, authkey):
    """Answer the peer's challenge; raise AuthenticationError if it rejects us."""
    _check_key(authkey)
    message = connection.recv_bytes(256)
    if not message.startswith(CHALLENGE):
        raise AuthenticationError(
            'Protocol error, expected challenge: message=%r' % message[:40])
    message = message[len(CHALLENGE):]
    if len(message) < _LEGACY_CHALLENGE_LENGTH:
        raise AuthenticationError('challenge too short: %d bytes' % len(message))
    connection.send_bytes(_response(authkey, message))
    if connection.recv_bytes(256) != WELCOME:
        raise AuthenticationError('digest sent was rejected')
