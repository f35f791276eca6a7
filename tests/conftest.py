"""Fixtures shared by every test of teachmp.

Contract (other test files rely on it):

``mp``
    parametrised over the ids ``teachmp-fork``, ``teachmp-spawn``,
    ``stdlib-fork``, ``stdlib-spawn``; the value is
    ``impl.get_context(start_method)``.
``impl`` / ``impl_name`` / ``start_method``
    share the parameter of ``mp`` (a test that asks for ``mp`` and ``impl``
    runs four times, not sixteen): the module (``teachmp`` or the stdlib
    ``multiprocessing``), its short name (``'teachmp'`` / ``'stdlib'``) and
    the start method (``'fork'`` / ``'spawn'``).
``mpmod``
    parametrised over the ids ``teachmp`` and ``stdlib``; the value is the
    module itself, for the module-level API (``set_start_method``,
    ``get_all_start_methods``...).  The module's global start method is
    restored after the test, so a test may call ``set_start_method`` freely.
``leak_check`` (autouse)
    after each test: no child process, no extra thread, no extra file
    descriptor (see ``tests/leakcheck.py``).  Opt out with
    ``@pytest.mark.allow_leaks("reason")``.

Functions that run in a child process live in ``tests/helpers.py``
(``import helpers``): they must be importable by name in a spawned child.
The parent-side helpers (``recv``, ``start``, ``finish``, ``normalise``,
``TIMEOUT``) live in ``tests/support.py``.
"""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
# pytest's rootdir-based "prepend" import mode puts tests/ on sys.path; make
# sure of it anyway, since spawned children copy the parent's sys.path and
# must be able to import ``helpers``.
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from leakcheck import leak_check, store_report  # noqa: E402,F401  (fixture)

from impls import IMPL_METHOD_PARAMS, IMPLS, START_METHODS, load_impl  # noqa: E402,F401

import coverage_scope  # noqa: E402


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    store_report(item, report)
    return report


def _runs_on_the_stdlib(item) -> bool:
    params = getattr(getattr(item, 'callspec', None), 'params', {})
    impl_method = params.get('_impl_method')
    if isinstance(impl_method, tuple) and impl_method[0] == 'stdlib':
        return True
    return params.get('mpmod') == 'stdlib'


@pytest.fixture(autouse=True)
def _coverage_scope(request):
    """Coverage only where it can measure something (tests/coverage_scope.py).

    A ``no_coverage`` test: none at all.  A test on the stdlib: none in the
    interpreters it starts (they run no teachmp code).
    """
    mark = request.node.get_closest_marker('no_coverage')
    if mark is not None:
        with coverage_scope.paused():
            yield
    elif _runs_on_the_stdlib(request.node):
        with coverage_scope.children_unmeasured():
            yield
    else:
        yield


@pytest.fixture(params=IMPL_METHOD_PARAMS)
def _impl_method(request):
    return request.param


@pytest.fixture
def impl_name(_impl_method) -> str:
    return _impl_method[0]


@pytest.fixture
def start_method(_impl_method) -> str:
    return _impl_method[1]


@pytest.fixture
def impl(impl_name):
    return load_impl(impl_name)


@pytest.fixture
def mp(impl, start_method):
    return impl.get_context(start_method)


def _stop_forkservers():
    for modname in ('multiprocessing.forkserver', 'teachmp.forkserver'):
        mod = sys.modules.get(modname)
        if mod is not None:
            mod._forkserver._stop()


@pytest.fixture(autouse=True)
def _forkserver_sees_capture(request, leak_check):  # noqa: F811 (the fixture, by name)
    """A fork server's children write to the stderr the *server* inherited.

    The server lives across tests, so under ``capfd`` it would still write
    to the file of the test that started it.  For a forkserver test that
    captures fds, start from no server (the next start inherits the capture)
    and stop it afterwards (before the leak check).
    """
    uses_capture = 'capfd' in request.fixturenames
    if not uses_capture or 'forkserver' not in request.node.name:
        yield
        return
    request.getfixturevalue('capfd')
    _stop_forkservers()
    yield
    _stop_forkservers()


@pytest.fixture(params=list(IMPLS), ids=list(IMPLS))
def mpmod(request):
    module = load_impl(request.param)
    saved = module.get_start_method(allow_none=True)
    yield module
    # put the global start method back the way the test found it
    # (None means "not chosen yet")
    module.set_start_method(saved, force=True)
