"""Functions that ProcessPoolExecutor workers run in tests/test_futures.py.

In an importable module so that a worker started by ``spawn`` or the fork
server finds them by name.  Blocking calls have timeouts.
"""

import os
import signal
import time

TIMEOUT = 20

_state = {}


def square(x):
    return x * x


def add(x, y):
    return x + y


def pid_of(_=None):
    return os.getpid()


def fail_with(message):
    raise ValueError(message)


def remember(value, event=None):
    """An initializer: keep *value* (and an event) in the worker's globals."""
    _state['value'] = value
    _state['event'] = event


def remembered(x):
    return (_state['value'], x)


def failing_initializer():
    raise RuntimeError('this initializer fails on purpose')


def wait_for_event(x):
    """Block until the event given to the initializer is set (or time out)."""
    return (x, _state['event'].wait(TIMEOUT))


def kill_myself(_=None):
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(TIMEOUT)         # never reached: SIGKILL cannot be caught


def unpicklable_result(_=None):
    return lambda: None


class PicklesLate:
    """Pickles fine in the parent, fails to unpickle in the worker."""

    def __reduce__(self):
        return (fail_with, ('cannot unpickle me',))
