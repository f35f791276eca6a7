"""Which Python's multiprocessing teachmp imitates: the version gates, in one place.

teachmp offers exactly the API of the interpreter it runs on: a name that
Python 3.14 added must not exist on 3.11 (a program that tests
``hasattr(lock, 'locked')`` to choose a code path must choose the same one
on both).  Every version-dependent difference asks this module.

``TEACHMP_PRETEND_PYTHON=3.14.1`` (an environment variable, read once at
import) makes teachmp behave as on that version.  It exists for the tests:
this machine may have no Python 3.14, yet the 3.14 behaviour must be
checked -- in a fresh interpreter started with the variable set.
"""

import os
import sys


def _version():
    pretend = os.environ.get('TEACHMP_PRETEND_PYTHON')
    if not pretend:
        return tuple(sys.version_info[:3])
    try:
        parts = tuple(int(p) for p in pretend.split('.'))
    except ValueError:
        raise ValueError('TEACHMP_PRETEND_PYTHON must look like 3.14.1, not %r'
                         % pretend) from None
    return (parts + (0, 0, 0))[:3]


VERSION = _version()

# 3.12: the handshake constants of multiprocessing.connection became private
# (the modern handshake has a different message length).
HANDSHAKE_NAMES_PUBLIC = VERSION < (3, 12)
# 3.13: DictProxy and ListProxy accept subscripts (DictProxy[str, int]).
GENERIC_DICT_LIST_PROXY = VERSION >= (3, 13)
# 3.13: SharedMemory(track=False) opts out of the resource tracker, and the
# tracker's leak warning lists the names it cleans up.
SHM_TRACK_PARAM = VERSION >= (3, 13)
# 3.14: Process.interrupt(); locked() on locks and semaphores and their
# proxies; SyncManager.set()/SetProxy; more list and dict proxy methods;
# util.warn / util.WARNING.
API_3_14 = VERSION >= (3, 14)
# 3.14.1: Process(kwargs=None) means "no keyword arguments".
PROCESS_KWARGS_NONE = VERSION >= (3, 14, 1)
