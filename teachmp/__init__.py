"""teachmp: Python's multiprocessing, rebuilt from pipes, fork and pickle.

``import teachmp as mp`` gives the same top-level API as ``import
multiprocessing as mp``: every name below is a method of the default context
(see ``teachmp.context``), bound so that ``mp.Process`` starts children with
whatever ``mp.set_start_method`` chose.

Where is the code?  Each chapter of the tutorial explains some of these
files; open them in this order, and leave the last column for later (the
same map, with links, is the page "Where is the code" of the docs):

  ch  open, in this order                              leave for later
  01  process.py (BaseProcess.start, _bootstrap),      _EXIT_FUNCTION_IN_BOOTSTRAP,
      popen_fork.py, util.py (Finalize)                _cleanup_tests
  02  context.py, popen_spawn.py, spawn.py,            spawn._interpreter_flags,
      reduction.py, spawning.py, then forkserver.py    popen_forkserver.py
      and forkserver_main.py (the third method)
  03  connection.py, then reduction.sendfds and        _read_large and its helpers,
      resource_sharer.py                               connection.__getattr__
  04  queues.py, queue_feeder.py (locks: black box)    _write_joined, the counters
  05  synchronize.py, condition.py                     RLock._enter_fast/_exit_fast,
                                                       _check_acquire_args
  06  heap.py, sharedctypes.py, shared_memory.py,      posixshm.py, ShareableList
      resource_tracker.py
  07  managers.py, manager_server.py, proxies.py,      RebuildProxy, _after_fork,
      manager_proxies.py                               shared_memory_manager.py
  08  pool_worker.py, pool_handlers.py,                pool_recovery.py
      pool_results.py, pool.py, thread_pool.py
  09  listener.py, auth.py                             _handshake_deadline, MD5 form
  10  log.py, then process_exit._exit_function        logging_state
  11, 12  no new modules

Support files no chapter needs: errors.py, compat.py, fdutil.py,
popen_spawn_posix.py, runner.py and __main__.py (the ``teachmp run``
command), dummy/ (threads), trace.py, trace_args.py, trace_analysis.py and
trace_draw.py (the timelines).  The layers, and the few imports that point
up, are explained in the header of context.py and checked by
tests/test_layers.py.
"""

import sys as _sys

from teachmp import context as _context
# Registers the exit function (terminate daemonic children, join the others)
# with atexit: process.py cannot import process_exit, which imports it.
from teachmp import process_exit as _process_exit  # noqa: F401
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
