"""teachmp: Python's multiprocessing, rebuilt from pipes, fork and pickle.

``import teachmp as mp`` gives the same top-level API as ``import
multiprocessing as mp``: every name below is a method of the default context
(see ``teachmp.context``), bound so that ``mp.Process`` starts children with
whatever ``mp.set_start_method`` chose.
"""

import sys as _sys

from teachmp import context as _context
from teachmp.log import SUBDEBUG, SUBWARNING

__version__ = '0.1.0'

for _name in _context.PUBLIC_NAMES:
    globals()[_name] = getattr(_context._default_context, _name)
del _name

# A spawned child runs the parent's script as ``__mp_main__``, so classes it
# defines there pickle as ``__mp_main__.Name``; this alias lets the parent
# (whose script is plain ``__main__``) unpickle them.
if '__main__' in _sys.modules:
    _sys.modules['__mp_main__'] = _sys.modules['__main__']



def _long_lived_helpers():
    """(pids, fds) of helper processes teachmp keeps for the program's life.

    The fork server and the resource tracker, once started, live as long as
    this process; the test suite's leak check asks here so that it does not
    count them as leaks.
    """
    pids, fds = set(), set()
    fs = _sys.modules.get('teachmp.forkserver')
    server = getattr(fs, '_forkserver', None)
    if server is not None and server._pid is not None:
        pids.add(server._pid)
        fds.add(server._alive_fd)
    rt = _sys.modules.get('teachmp.resource_tracker')
    tracker = getattr(rt, '_resource_tracker', None)
    if tracker is not None and tracker._fd is not None:
        fds.add(tracker._fd)
        if tracker._pid is not None:
            pids.add(tracker._pid)
    return pids, fds


__all__ = list(_context.PUBLIC_NAMES) + ['SUBDEBUG', 'SUBWARNING']

# ``TEACHMP_TRACE=path``: record every blocking point (teachmp.trace).  A
# spawned child of a traced program sees the variable and records too.
if __import__('os').environ.get('TEACHMP_TRACE'):
    from teachmp import trace as _trace
    _trace.install()
