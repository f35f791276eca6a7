"""Stdlib ``multiprocessing`` objects handed to a teachmp child at its start.

``concurrent.futures.ProcessPoolExecutor(mp_context=teachmp.get_context(m))``
is the documented way to put the executor on another implementation.  But
the executor's call queue is a subclass of the *stdlib's*
``multiprocessing.queues.Queue`` (fixed when ``concurrent.futures.process``
was imported), built on the primitives of the context it is given: a stdlib
Queue made of teachmp locks, on a stdlib ``Pipe``.  The executor passes it to
its workers as a ``Process`` argument, so teachmp's spawn and forkserver
must be able to pickle it for the child, as the stdlib's own would.

The stdlib's objects know how to travel, by the stdlib's rules: a Queue's
``__getstate__`` asks the stdlib's ``context.get_spawning_popen()`` whether a
child is being started (and refuses otherwise), a ``Connection`` is reduced
by a function registered with the stdlib's ``ForkingPickler``, which passes
its descriptor through ``popen.DupFd(popen.duplicate_for_child(fd))``.  So
while teachmp pickles a child's start-up data, ``spawning(popen)``

* tells the stdlib, too, that ``popen`` is starting a child (teachmp's Popen
  has the two methods the stdlib calls: ``duplicate_for_child`` and
  ``DupFd``), and
* lets teachmp's pickler use the reducers registered with the stdlib's.

Only if the program has imported the stdlib ``multiprocessing`` itself:
teachmp never imports it (it looks in ``sys.modules``), and under
``python -m teachmp run`` the name ``multiprocessing`` *is* teachmp, and this
module does nothing.
"""

import contextlib
import sys

from teachmp import reduction
from teachmp.spawning import set_spawning_popen


def _stdlib_module(name):
    """The stdlib's ``multiprocessing.NAME`` if the program loaded it, else None."""
    module = sys.modules.get('multiprocessing.' + name)
    if module is None or module.__name__.startswith('teachmp'):
        return None         # not loaded, or the name is aliased to teachmp
    return module


def _use_stdlib_reducers():
    std = _stdlib_module('reduction')
    table = reduction.ForkingPickler.dispatch_table
    if std is not None:
        extra = std.ForkingPickler._extra_reducers
        if all(m is not extra for m in table.maps):
            # after teachmp's own reducers, before copyreg's
            table.maps.insert(1, extra)


@contextlib.contextmanager
def spawning(popen):
    """While the body pickles, ``popen`` is the child being started, for
    teachmp and (if loaded) for the stdlib."""
    std = _stdlib_module('context')
    set_spawning_popen(popen)
    if std is not None:
        _use_stdlib_reducers()
        std.set_spawning_popen(popen)
    try:
        yield
    finally:
        set_spawning_popen(None)
        if std is not None:
            std.set_spawning_popen(None)
