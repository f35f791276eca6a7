"""Housekeeping that every process does at its start and at its end.

At the start of a child:

* ``close_stdin`` -- a child must not read its parent's terminal: both would
  race for the same keystrokes.  The stdlib gives children ``/dev/null``; so
  do we.
* ``run_after_fork_hooks`` -- objects that hold per-process state (a lock's
  owner, a queue's feeder thread) register a function that repairs that state
  in the child; fork copies memory but not threads.

At the end of any teachmp process (``exit_function``, registered with
``atexit`` in the parent and called explicitly by a child before it leaves):
daemonic children are terminated, every remaining child is joined.  This is
the documented contract of ``daemon``: a daemonic child never outlives its
parent, and a parent never leaves a non-daemonic child behind as a zombie.
"""

import atexit
import itertools
import os
import sys
import threading
import weakref

from teachmp import log

_after_fork_hooks = weakref.WeakKeyDictionary()
_exiting = False
_exit_hooks = {}            # (priority, sequence) -> (callback, args)
_exit_sequence = itertools.count()


def register_exit_hook(callback, args=(), priority=0):
    """Run ``callback(*args)`` when this process exits; return a cancel function.

    Hooks with priority >= 0 run before children are joined, the others
    after, highest priority first (a queue's "flush my buffer" must wait until
    the last moment, so it uses a negative priority).
    """
    key = (priority, next(_exit_sequence))
    _exit_hooks[key] = (callback, args)
    return lambda: _exit_hooks.pop(key, None)


def _run_exit_hooks(minpriority=None):
    keys = sorted((k for k in _exit_hooks
                   if minpriority is None or k[0] >= minpriority), reverse=True)
    for key in keys:
        hook = _exit_hooks.pop(key, None)
        if hook is not None:
            callback, args = hook
            try:
                callback(*args)
            except Exception:
                import traceback
                traceback.print_exc()


def register_after_fork(obj, func):
    """Call ``func(obj)`` in every forked child while ``obj`` is alive here."""
    _after_fork_hooks[obj] = func


def run_after_fork_hooks():
    global _exiting
    _exiting = False
    _exit_hooks.clear()         # the parent's exit duties are not ours
    for obj, func in list(_after_fork_hooks.items()):
        try:
            func(obj)
        except Exception as e:  # one broken hook must not kill the child
            log.info('after forker raised exception %s', e)


def close_stdin():
    if sys.stdin is None:
        return
    try:
        sys.stdin.close()
    except (OSError, ValueError):
        pass
    try:
        sys.stdin = open(os.devnull, encoding='utf-8')
    except OSError:
        pass


def join_non_daemon_threads():
    """What the interpreter does at exit, done by hand before ``os._exit``."""
    me = threading.current_thread()
    for t in threading.enumerate():
        if t is not me and not t.daemon and t.is_alive():
            t.join()


def exit_function():
    """Terminate daemonic children, then join all children (once)."""
    global _exiting
    if _exiting:
        return
    _exiting = True
    from teachmp.process import active_children
    log.info('process shutting down')
    log.debug('running all "atexit" finalizers with priority >= 0')
    _run_exit_hooks(0)
    for p in active_children():
        if p.daemon:
            log.info('calling terminate() for daemon %s', p.name)
            p._popen.terminate()
    for p in active_children():
        log.info('calling join() for process %s', p.name)
        p.join()
    log.debug('running the remaining "atexit" finalizers')
    _run_exit_hooks()


class FdCloser:
    """Close some file descriptors when this object is garbage collected.

    An object that owns descriptors keeps one of these; when the last
    reference goes, so do the descriptors.  ``os.close`` is bound as a default
    argument because at interpreter exit module globals may already be None.
    """

    def __init__(self, *fds):
        self.fds = fds

    def __del__(self, _close=os.close):
        for fd in self.fds:
            try:
                _close(fd)
            except OSError:
                pass


def close_fds(*fds):
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


atexit.register(exit_function)
