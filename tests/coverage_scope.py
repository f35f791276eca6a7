"""Where ``make test`` does *not* measure coverage, and why (issue 12).

``make test`` measures every process of the run (tools/run_tests.py): a
spawned interpreter starts coverage from the ``COVERAGE_PROCESS_CONFIG``
environment variable (coverage's ``patch = ["subprocess"]``), a forked child
restarts it (``patch = ["fork"]``) and every process writes a data file when
it ends.  That is not free on the 2-core machine: about 75 ms of CPU per
interpreter (importing coverage, starting it, saving), about 15 ms per forked
child, and the tracer slows every line of ``teachmp/`` the process runs.
Measured per file with ``-n 4``: the examples 46 s of CPU with coverage, 16
without; the stress file 77 against 14
(the pool test alone: 36 against 3).  Two kinds of process gain nothing
from it, and skipping them changes no test (what a test checks never
depends on coverage):

* **processes that run no teachmp code**: the children of a test that runs
  on the stdlib (``impl_name == "stdlib"``), and the stdlib reference run of
  a chapter example.  Coverage measures only ``teachmp/`` and
  ``teachmp_course/`` (``[tool.coverage.run] source``), so their data files
  are empty anyway.  :func:`env_without_coverage` is the environment for
  such a process; the ``_stdlib_children_unmeasured`` fixture of
  ``tests/conftest.py`` takes the variables out of ``os.environ`` for the
  duration of a stdlib test.  The test process itself is still measured
  (a forked child restarts coverage from the parent's, so those still pay).
* **tests marked** ``@pytest.mark.no_coverage("why")``: the Pool stress
  test (a thousand forked workers) and the lock/barrier stress tests (tens of
  thousands of increments in the children), whose code the behaviour tests
  measure line by line already.  (The queue stress test stays measured: its
  producers are the only ones that fill a feeder's batch.)  Check with a
  full ``make test`` that the coverage report loses no line before marking
  another test.
  :func:`paused` keeps measuring the test process but none of the children
  it starts (forked or spawned), then puts everything back.

Outside ``make test`` (plain ``pytest``, no coverage running) all of this
does nothing.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

# what coverage's subprocess patch and `coverage run` put in the environment
COVERAGE_ENV = ('COVERAGE_PROCESS_CONFIG', 'COVERAGE_PROCESS_START')


def env_without_coverage(env=None) -> dict:
    """A copy of *env* (default: ``os.environ``) that starts no coverage."""
    env = dict(os.environ if env is None else env)
    for name in COVERAGE_ENV:
        env.pop(name, None)
    return env


@contextlib.contextmanager
def children_unmeasured():
    """New interpreters started inside the block do not start coverage."""
    saved = {name: os.environ.pop(name) for name in COVERAGE_ENV if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _running_coverage():
    mod = sys.modules.get('coverage')  # never import it: a plain pytest run
    if mod is None:
        return None
    return mod.Coverage.current()


_paused = False  # True inside paused(): read by the fork hook below


_parent_coverage = None  # the Coverage object of the process that forks


def _before_fork() -> None:
    global _parent_coverage
    _parent_coverage = _running_coverage()


def _after_fork_in_child() -> None:
    # Registered after coverage's own hook (coverage started before pytest
    # imported this module), so it runs after it, once coverage has started
    # a Coverage object of the child's own.  Coverage's os._exit patch would
    # still save the *parent's* object in the child too: a second data file
    # per forked child, holding the parent's data so far, which the parent
    # saves itself.  Shadow that save in the child (not in the parent).
    parent = _parent_coverage
    if parent is not None and parent is not _running_coverage():
        parent.save = _no_save
    if _paused:  # see paused(): nothing to measure in this child
        sys.settrace(None)
        threading.settrace(None)


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


@contextlib.contextmanager
def paused():
    """No coverage in the children started inside the block.

    The test process itself is still measured.  How coverage reaches a
    child, and what stops it here: a spawned interpreter starts coverage from
    the environment (taken away for the block); a forked child restarts it
    from ``Coverage.current()`` (our Coverage object is taken off that list
    for the block, so there is nothing to restart from), keeps the tracer it
    inherited (switched off by the fork hook above) and, when it ends with
    ``os._exit``, coverage's patch saves our Coverage object in the child, a
    new data file per child (an instance attribute shadows ``save`` for the
    block; ``del`` restores the method).  These are coverage internals
    (7.x): if they change, children are measured again, nothing breaks.
    """
    global _paused
    cov = _running_coverage()
    if cov is None:
        with children_unmeasured():
            yield
        return
    instances = type(cov)._instances
    saved_instances = list(instances)
    instances[:] = [c for c in instances if c is not cov]
    cov.save = _no_save
    _paused = True
    try:
        with children_unmeasured():
            yield
    finally:
        _paused = False
        del cov.save
        instances[:] = saved_instances


def _no_save() -> None:
    pass
