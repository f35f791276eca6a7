"""Programs whose traces tests/test_trace.py checks (importable by spawned children)."""

import os
import time


def echo_twice(conn):
    """Receive two messages and send each back."""
    for _ in range(2):
        conn.send_bytes(conn.recv_bytes())
    conn.close()


def take_lock(lock, ready):
    """Say we are about to wait, then wait for the lock the parent holds."""
    ready.send_bytes(b'waiting')
    with lock:
        pass


def send_then_block(conn):
    """One message out, then a recv that never returns (the test kills us)."""
    conn.send_bytes(b'hello from the child')
    conn.recv_bytes()


def pid_of_worker(_):
    return os.getpid()


def sleep_a_little(seconds):
    time.sleep(seconds)
    return seconds


def grab_two(first, second, barrier):
    """Take ``first``, wait until the other process holds its own, take ``second``."""
    with first:
        barrier.wait(timeout=20)
        second.acquire()            # never returns: the test kills us
