"""Functions that tests run in child processes.

They live in an importable module (not in the test files) so that a child
started with the ``spawn`` method can find them by name: pickling a function
sends only its module and qualified name.
"""

import os
import sys
import time


def noop():
    """Do nothing and exit with 0."""


def exit_with(code):
    """End the child with ``sys.exit(code)``."""
    sys.exit(code)


def os_exit(code):
    """End the child with ``os._exit(code)`` (no clean-up at all)."""
    os._exit(code)


def raise_error(message='boom'):
    """Raise an exception in the child (exit code 1, traceback on stderr)."""
    raise RuntimeError(message)


def send_value(conn, value):
    """Send *value* through *conn* and close it."""
    conn.send(value)
    conn.close()


def send_pid(conn):
    """Send the child's pid through *conn* and close it."""
    conn.send(os.getpid())
    conn.close()


def echo(conn):
    """Send back every object received, until None arrives."""
    while True:
        obj = conn.recv()
        if obj is None:
            break
        conn.send(obj)
    conn.close()


def sleep_forever(conn=None):
    """Signal readiness (if given a connection), then sleep until killed."""
    if conn is not None:
        conn.send('ready')
    while True:
        time.sleep(1)


def report_identity(conn, modname='multiprocessing'):
    """Send (name, pid, ppid, parent's name) of the child through *conn*.

    *modname* names the implementation the child should ask
    (``"teachmp"`` or ``"multiprocessing"``).
    """
    import importlib

    mod = importlib.import_module(modname)
    parent = mod.parent_process()
    conn.send(
        (
            mod.current_process().name,
            os.getpid(),
            os.getppid(),
            parent.name if parent is not None else None,
        )
    )
    conn.close()


def square(x):
    return x * x
