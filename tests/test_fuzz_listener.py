"""Fuzz: a teachmp Listener with an authkey against hostile peers.

Issue 5's acceptance: >= 10,000 random or malformed handshakes and frames
against a Listener: no crash, no hang past its timeout, memory bounded --
and a legitimate client still gets in afterwards.

One thread serves ``Listener(authkey=KEY)`` (AF_UNIX) in a loop: accept,
then, if the peer authenticated, read one message.  The test thread plays
the peers one at a time over raw sockets and, after each, takes the
server's verdict from a queue, so every verdict belongs to exactly one peer.
The peers (chosen with ``random.Random(SEED)``, so a failure can be
replayed):

* random bytes, random well-formed frames, truncated frames, frames
  announcing huge lengths (2**31-1, -1 followed by 2**63-1, negative
  sizes), each followed by a half-close so the server sees EOF at once;
* wrong answers to the server's challenge (wrong key, flipped bit,
  truncated MAC, unknown digest, legacy 16-byte MD5 with the wrong key);
* a right answer followed by a bad counter-challenge or a bad reply to the
  server's answer (the listener challenges the peer, then is challenged);
* early disconnects at every step;
* silent peers and peers that stop mid-frame, with
  ``teachmp.listener.HANDSHAKE_TIMEOUT`` patched to 0.05 s for them (only a
  few hundred: each costs the timeout);
* peers that authenticate properly (teachmp's ``Client``) and then send a
  malformed or truncated frame, huge announced lengths included: the
  server's ``recv_bytes()`` must fail with OSError/EOFError without
  allocating the announced size.

Checked for each peer: the listener's ``accept()`` either returns a
connection (only ever for a peer that knows the key) or raises
AuthenticationError, OSError or EOFError -- nothing else; it answers within
a bound; the serving thread never dies.  At the end: ``ru_maxrss`` grew by
less than 50 MB and a legitimate client still authenticates and talks.
"""

from __future__ import annotations

import hmac
import os
import queue
import random
import resource
import socket
import struct
import threading
import time

import pytest

import teachmp
import teachmp.listener
from teachmp.connection import Client, Listener

SEED = 20261122
KEY = b'fuzz key'
WRONG_KEY = b'not the key'
FAST_PEERS = 19_750
SLOW_PEERS = 250  # silent or stopping mid-frame: each costs SLOW_TIMEOUT
SLOW_TIMEOUT = 0.05
FAST_TIMEOUT = 5.0  # handshake timeout while the fast peers run
VERDICT_WAIT = 10.0  # seconds the test waits for the server's verdict
MAX_RSS_GROWTH_KB = 50 * 1024

ALLOWED = ('AuthenticationError', 'OSError', 'EOFError')
HDR = struct.Struct('!i')
BIG = struct.Struct('!Q')
CHALLENGE = b'#CHALLENGE#'
WELCOME = b'#WELCOME#'


def frame(payload: bytes) -> bytes:
    return HDR.pack(len(payload)) + payload


# -- the server thread -----------------------------------------------------------


class Server(threading.Thread):
    """accept() in a loop; report one verdict per accepted socket."""

    def __init__(self, listener):
        super().__init__(name='fuzz-listener', daemon=True)
        self.listener = listener
        self.verdicts = queue.Queue()
        self.stop = False

    def run(self):
        while not self.stop:
            start = time.monotonic()
            try:
                conn = self.listener.accept()
            except BaseException as exc:  # noqa: BLE001 - classified below
                kind = type(exc).__name__
                if isinstance(exc, teachmp.AuthenticationError):
                    kind = 'AuthenticationError'
                elif isinstance(exc, EOFError):
                    kind = 'EOFError'
                elif isinstance(exc, OSError):
                    kind = 'OSError'
                self.verdicts.put(('refused', kind, repr(exc)[:200],
                                   time.monotonic() - start))
                continue
            elapsed = time.monotonic() - start
            try:
                if conn.poll(VERDICT_WAIT):
                    data = ('data', conn.recv_bytes())
                else:
                    data = ('silent', None)
            except (OSError, EOFError) as exc:
                data = ('read error', type(exc).__name__)
            except BaseException as exc:  # noqa: BLE001
                data = ('read crash', repr(exc)[:200])
            finally:
                conn.close()
            self.verdicts.put(('accepted', data, None, elapsed))


# -- the peers ---------------------------------------------------------------------


def recv_exact(s: socket.socket, n: int) -> bytes:
    got = b''
    while len(got) < n:
        chunk = s.recv(n - len(got))
        if not chunk:
            raise EOFError
        got += chunk
    return got


def recv_frame(s: socket.socket) -> bytes:
    size, = HDR.unpack(recv_exact(s, 4))
    return recv_exact(s, size)


def right_answer(challenge_frame: bytes) -> bytes:
    message = challenge_frame[len(CHALLENGE):]
    return b'{sha256}' + hmac.new(KEY, message, 'sha256').digest()


def garbage(rng: random.Random) -> bytes:
    """Something that is not a correct frame of the handshake."""
    kind = rng.randrange(7)
    if kind == 0:  # random bytes
        return rng.randbytes(rng.randrange(0, 300))
    if kind == 1:  # a well-formed frame of random bytes
        return frame(rng.randbytes(rng.randrange(0, 300)))
    if kind == 2:  # a truncated frame
        n = rng.randrange(1, 300)
        return frame(rng.randbytes(n))[: rng.randrange(0, n + 4)]
    if kind == 3:  # huge or negative announced lengths
        return rng.choice([
            HDR.pack(2**31 - 1),
            HDR.pack(2**31 - 1) + rng.randbytes(rng.randrange(0, 100)),
            HDR.pack(-1) + BIG.pack(2**63 - 1),
            HDR.pack(-1) + BIG.pack(rng.randrange(2**64)),
            HDR.pack(-1) + BIG.pack(rng.randrange(2**64))[: rng.randrange(8)],
            HDR.pack(rng.randrange(-(2**31), 0)) + rng.randbytes(rng.randrange(50)),
            HDR.pack(rng.randrange(257, 2**31)),
        ])
    if kind == 4:  # challenge-shaped garbage
        body = rng.choice([b'', b'{sha256}', b'{md5}', b'{sha999}', b'{', b'}'])
        return frame(CHALLENGE + body + rng.randbytes(rng.randrange(0, 60)))
    if kind == 5:  # digest-shaped garbage
        return frame(rng.choice([b'{sha256}', b'{md5}', b'{sha3_384}', b''])
                     + rng.randbytes(rng.choice([0, 16, 20, 32, 48, 64])))
    return rng.choice([b'', b'\x00', b'\x00\x00\x00', frame(WELCOME), frame(b'#FAILURE#')])


def wrong_answer(rng: random.Random, challenge_frame: bytes) -> bytes:
    message = challenge_frame[len(CHALLENGE):]
    right = right_answer(challenge_frame)
    kind = rng.randrange(6)
    if kind == 0:
        return b'{sha256}' + hmac.new(WRONG_KEY, message, 'sha256').digest()
    if kind == 1:
        flip = rng.randrange(8, len(right))
        return right[:flip] + bytes([right[flip] ^ (1 << rng.randrange(8))]) + right[flip + 1:]
    if kind == 2:
        return right[: rng.randrange(0, len(right))]
    if kind == 3:
        return b'{sha999}' + right[8:]
    if kind == 4:
        return hmac.new(WRONG_KEY, message, 'md5').digest()  # legacy form, wrong key
    return right + rng.randbytes(rng.randrange(1, 40))


def fast_peer(rng: random.Random, address) -> tuple[str, str]:
    """Play one peer that never leaves the server waiting.

    Returns (what it did, what the server must do: 'refuse' or 'accept').
    """
    kind = rng.randrange(100)
    if kind < 8:
        # authenticate properly, then send a malformed or truncated frame
        conn = Client(address, authkey=KEY)
        try:
            os.write(conn.fileno(), garbage(rng))
        except OSError:
            pass
        conn.close()
        return 'authenticated, then a bad frame', 'accept'
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(VERDICT_WAIT)
    try:
        s.connect(address)
        if kind < 40:
            what = 'garbage'
            s.sendall(garbage(rng))
        elif kind < 45:
            what = 'disconnect at once'
        else:
            challenge = recv_frame(s)
            if kind < 50:
                what = 'disconnect after the challenge'
            elif kind < 75:
                what = 'wrong answer'
                s.sendall(frame(wrong_answer(rng, challenge)))
            elif kind < 80:
                what = 'garbage instead of an answer'
                s.sendall(garbage(rng))
            else:
                s.sendall(frame(right_answer(challenge)))
                if recv_frame(s) != WELCOME:
                    raise AssertionError('the right answer was not welcomed')
                if kind < 85:
                    what = 'right answer, then disconnect'
                elif kind < 95:
                    what = 'right answer, then a bad counter-challenge'
                    s.sendall(garbage(rng))
                else:
                    what = "right answer, then a bad reply to the server's answer"
                    s.sendall(frame(CHALLENGE + b'{sha256}' + os.urandom(40)))
                    recv_frame(s)  # the server's answer
                    s.sendall(rng.choice([  # anything but #WELCOME#
                        frame(b'#FAILURE#'), frame(rng.randbytes(9)), b'',
                        HDR.pack(2**31 - 1), frame(WELCOME[:-1])]))
        try:
            s.shutdown(socket.SHUT_WR)  # EOF now: the server need not wait
        except OSError:
            pass
        return what, 'refuse'
    finally:
        s.close()


def slow_peer(rng: random.Random, address, verdicts) -> tuple[str, str]:
    """A peer that goes quiet: the server must give up after its timeout."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(VERDICT_WAIT)
    try:
        s.connect(address)
        kind = rng.randrange(4)
        if kind == 0:
            what = 'silent'
        elif kind == 1:
            what = 'stops inside a header'
            s.sendall(HDR.pack(rng.randrange(1, 256))[: rng.randrange(1, 4)])
        elif kind == 2:
            what = 'stops inside a frame'
            n = rng.randrange(2, 256)
            s.sendall(HDR.pack(n) + rng.randbytes(rng.randrange(0, n)))
        else:
            what = 'answers, then goes silent'
            challenge = recv_frame(s)
            s.sendall(frame(right_answer(challenge)))
        # keep the socket open until the server has given up
        return what, 'refuse', verdicts.get(timeout=VERDICT_WAIT)
    finally:
        s.close()


# -- the test ------------------------------------------------------------------------


def check(verdict, what, expect, bound, problems, index, slowest):
    status, detail, text, elapsed = verdict
    where = f'peer {index} ({what})'
    slowest[what] = max(slowest.get(what, 0.0), elapsed)
    if status == 'refused':
        if detail not in ALLOWED:
            problems.append(f'{where}: accept() raised {text}')
        elif expect == 'accept':
            problems.append(f'{where}: a peer with the key was refused: {text}')
    else:
        if expect != 'accept':
            problems.append(f'{where}: accept() returned a connection')
        elif detail[0] == 'read crash':
            problems.append(f'{where}: recv_bytes() raised {detail[1]}')
    if elapsed > bound:
        problems.append(f'{where}: accept() took {elapsed:.2f} s (bound {bound} s)')


@pytest.mark.timeout(180)
def test_listener_survives_hostile_peers(monkeypatch):
    rng = random.Random(SEED)
    monkeypatch.setattr(teachmp.listener, 'HANDSHAKE_TIMEOUT', FAST_TIMEOUT)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    listener = Listener(family='AF_UNIX', backlog=16, authkey=KEY)
    server = Server(listener)
    server.start()
    problems = []
    tally = {}
    slowest = {}  # what -> longest accept() in seconds
    started = time.monotonic()
    try:
        for i in range(FAST_PEERS):
            what, expect = fast_peer(rng, listener.address)
            verdict = server.verdicts.get(timeout=VERDICT_WAIT)
            check(verdict, what, expect, FAST_TIMEOUT, problems, i, slowest)
            tally[what] = tally.get(what, 0) + 1
            assert server.is_alive(), 'the serving thread died'
        fast_time = time.monotonic() - started

        monkeypatch.setattr(teachmp.listener, 'HANDSHAKE_TIMEOUT', SLOW_TIMEOUT)
        for i in range(SLOW_PEERS):
            what, expect, verdict = slow_peer(rng, listener.address, server.verdicts)
            # a few timeouts' worth, plus slack for a busy machine
            check(verdict, what, expect, 4 * SLOW_TIMEOUT + 1.0, problems,
                  FAST_PEERS + i, slowest)
            tally[what] = tally.get(what, 0) + 1
            assert server.is_alive(), 'the serving thread died'
        monkeypatch.setattr(teachmp.listener, 'HANDSHAKE_TIMEOUT', FAST_TIMEOUT)

        # a legitimate client still gets in, and is the last one served
        server.stop = True
        with Client(listener.address, authkey=KEY) as conn:
            conn.send_bytes(b'still here')
            final = server.verdicts.get(timeout=VERDICT_WAIT)
    finally:
        server.stop = True
        if server.is_alive():
            # wake a server blocked in accept(); whatever it says is ignored
            try:
                Client(listener.address).close()
            except OSError:
                pass
        server.join(VERDICT_WAIT)
        listener.close()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before

    print(f'\n{sum(tally.values())} peers in {time.monotonic() - started:.1f} s '
          f'(fast ones {fast_time:.1f} s); ru_maxrss +{rss_growth} KB')
    for what, n in sorted(tally.items()):
        print(f'  {n:6d}  {what}  (slowest accept {slowest.get(what, 0):.3f} s)')
    if problems:
        kinds = {}
        for problem in problems:
            key = problem.split(': ', 1)[1][:60]
            kinds[key] = kinds.get(key, 0) + 1
        summary = '\n'.join(f'  {n} x {key}...' for key, n in sorted(kinds.items()))
        pytest.fail(f'{len(problems)} problems; by kind:\n{summary}\nfirst ones:\n'
                    + '\n'.join(problems[:20]), pytrace=False)
    assert sum(tally.values()) >= 10_000
    assert final[0] == 'accepted' and final[1] == ('data', b'still here'), final
    assert not server.is_alive()
    assert rss_growth < MAX_RSS_GROWTH_KB, f'ru_maxrss grew by {rss_growth} KB'
