"""Children for tests/test_default_timeout.py (importable by a spawned child)."""

import time


def send_later(conn, value, delay=0.5):
    """Send ``value`` on ``conn`` after ``delay`` seconds: longer than the
    0.1 s default socket timeout the test sets."""
    time.sleep(delay)
    conn.send(value)
    conn.close()


def relay_connection_later(q, value, delay=0.5):
    """Take a Connection from the queue, answer on it after ``delay``."""
    conn = q.get(timeout=10)
    time.sleep(delay)
    conn.send(value)
    conn.close()


def slow_square(x):
    time.sleep(0.3)
    return x * x
