"""The end of a process: what runs once, when a teachmp process exits.

``_exit_function`` is the stdlib's ``util._exit_function``: it runs the
finalizers of priority >= 0, terminates the daemonic children, joins all
the others, then runs the remaining finalizers.  The parent registers it
with ``atexit`` (when this module is imported: ``import teachmp`` imports
it, since ``teachmp.process``, which this module imports for the children,
cannot import it back); a child calls it through
``util.exit_function`` at the end of ``BaseProcess._bootstrap``, since it
leaves with ``os._exit`` and so runs no ``atexit`` handler.  That is how a
daemonic child never outlives its parent, and a parent never leaves a
child behind as a zombie.

``_cleanup_tests`` is the stdlib's ``util._cleanup_tests``, which CPython's
test suites register as a module clean-up: it also stops the helper
servers (fork server, resource tracker) and reaps what is left.

Both were in ``process.py``, next to the children they join; they moved
here so that ``process.py`` is about the Process objects themselves.  The
stdlib's names stay where the stdlib has them: ``teachmp.util`` forwards
``_exit_function``, ``exit_function`` and ``_cleanup_tests`` to this module
(it sits below the processes and imports this module only when asked).
"""

import atexit
import sys

from teachmp import log, process, util


def _exit_function():
    """Terminate daemonic children, then join all children (once)."""
    if util._exiting:
        return
    util._exiting = True
    log.info('process shutting down')
    log.debug('running all "atexit" finalizers with priority >= 0')
    util._run_finalizers(0)
    for p in process.active_children():
        if p.daemon:
            log.info('calling terminate() for daemon %s', p.name)
            p._popen.terminate()
    for p in process.active_children():
        log.info('calling join() for process %s', p.name)
        p.join()
    log.debug('running the remaining "atexit" finalizers')
    util._run_finalizers()


exit_function = _exit_function


def _cleanup_tests():
    """Release what test suites leave behind: children, helper servers,
    pending finalizers (the temp dir), garbage, zombies."""
    import gc
    process.active_children()       # joins the children that have ended
    for name in ('teachmp.forkserver', 'teachmp.resource_tracker'):
        module = sys.modules.get(name)
        for attr in ('_forkserver', '_resource_tracker'):
            helper = getattr(module, attr, None)
            if helper is not None and hasattr(helper, '_stop'):
                helper._stop()
    util._run_finalizers()
    gc.collect()
    try:
        from test import support
    except ImportError:             # the interpreter's test package is optional
        return
    support.reap_children()


atexit.register(_exit_function)
