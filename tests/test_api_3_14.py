"""The multiprocessing API of Python 3.14 and 3.15, checked by its documented meaning.

This machine has no Python 3.14, so the stdlib cannot be asked.  Instead
each check runs a small program on teachmp in a fresh interpreter started
with ``TEACHMP_PRETEND_PYTHON=3.14.1`` (or ``3.15.0``; see
``teachmp/compat.py``), and the expected output is what the official
documentation and What's New in Python 3.14 / 3.15 say:

* ``Process.interrupt()`` sends SIGINT; unhandled, the ``KeyboardInterrupt``
  ends ``run()`` and the exit code is 1 (3.14);
* ``Process(kwargs=None)`` means no keyword arguments (3.14.1);
* ``locked()`` on Lock, RLock, Semaphore, BoundedSemaphore: whether the
  object cannot be acquired right now, whichever process holds it
  (3.14; gh-115942, gh-132561), and on the manager's lock proxies;
* ``SyncManager.set()`` returns a ``SetProxy`` (3.14, gh-129948);
  ``ListProxy.clear()``/``copy()``, ``DictProxy.fromkeys()``,
  ``reversed(d)``, ``d | other``, ``other | d``, ``d |= other`` (3.14);
* ``util.warn`` and ``util.WARNING`` (3.14);
* ``set_forkserver_preload(..., on_error='ignore'|'warn'|'fail')`` (3.15,
  gh-141860).

That the names are *absent* where the running stdlib lacks them (3.10-3.13
here) is checked in ``tests/test_api_surface.py`` on the real interpreter.
"""

import os
import subprocess
import sys
import textwrap

import pytest

from impls import IMPLS, load_impl

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 14),
    reason='a real 3.14 runs the stdlib itself (test_api_surface.py)')


def run_as(version, code, tmp_path, timeout=90, env=None):
    """Run ``code`` (a script, ``__main__``-guarded) on teachmp pretending to
    be Python ``version``; return (exit status, stdout lines, stderr)."""
    script = tmp_path / 'prog.py'
    script.write_text('import sys\nsys.path.insert(0, %r)\n' % HERE
                      + textwrap.dedent(code))
    full_env = dict(os.environ, PYTHONPATH=ROOT, TEACHMP_PRETEND_PYTHON=version)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, str(script)], capture_output=True,
                          text=True, timeout=timeout, env=full_env, cwd=str(tmp_path))
    return proc.returncode, proc.stdout.splitlines(), proc.stderr


def run_ok(version, code, tmp_path, **kwargs):
    status, out, err = run_as(version, code, tmp_path, **kwargs)
    assert status == 0, err
    return out


@pytest.mark.parametrize('method', ['fork', 'spawn', 'forkserver'])
def test_interrupt_ends_the_child_with_exit_code_1(method, tmp_path):
    status, out, err = run_as('3.14.1', """
        import signal
        import teachmp as mp
        import surface_targets as st

        if __name__ == '__main__':
            # A shell's background job starts with SIGINT ignored, and the
            # children would inherit that: give them Python's usual handler.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            ctx = mp.get_context(%r)
            for target in (st.sleep_after_ready, st.exit_3_on_interrupt):
                r, w = ctx.Pipe(duplex=False)
                p = ctx.Process(target=target, args=(w,))
                p.start()
                w.close()
                assert r.poll(30) and r.recv() == 'ready'
                p.interrupt()
                p.join(30)
                print(target.__name__, p.exitcode)
    """ % method, tmp_path)
    assert status == 0, err
    # unhandled: KeyboardInterrupt fails run() (exit code 1, traceback on
    # stderr); handled: whatever the handler decides
    assert out == ['sleep_after_ready 1', 'exit_3_on_interrupt 3']
    assert 'KeyboardInterrupt' in err


def test_kwargs_none_means_no_keyword_arguments(tmp_path):
    code = """
        import teachmp as mp
        import surface_targets as st

        if __name__ == '__main__':
            try:
                p = mp.get_context('fork').Process(target=st.print_kwargs,
                                                   args=(1,), kwargs=None)
            except TypeError as e:
                print('TypeError')
            else:
                p.start()
                p.join(30)
                print('exitcode', p.exitcode)
    """
    assert run_ok('3.14.1', code, tmp_path) == ['args=(1,) kwargs={}', 'exitcode 0']
    # ... and None is the default now
    assert run_ok('3.14.1', """
        import inspect, teachmp
        print(inspect.signature(teachmp.Process).parameters['kwargs'].default)
    """, tmp_path) == ['None']
    # 3.14.0 still has dict(kwargs), as every earlier version
    assert run_ok('3.14.0', code, tmp_path) == ['TypeError']


@pytest.mark.parametrize('impl_name', list(IMPLS))
def test_kwargs_none_on_this_python(impl_name):
    """On the running Python (3.10-3.13 here) kwargs=None is a TypeError, at
    construction, on both implementations."""
    mp = load_impl(impl_name)
    with pytest.raises(TypeError):
        mp.Process(target=print, kwargs=None)


def test_locked_on_locks_and_semaphores(tmp_path):
    out = run_ok('3.14.1', """
        import teachmp as mp
        import surface_targets as st

        if __name__ == '__main__':
            ctx = mp.get_context('fork')
            for make in (ctx.Lock, ctx.RLock):
                lock = make()
                states = [lock.locked()]
                lock.acquire()
                states.append(lock.locked())
                lock.release()
                states.append(lock.locked())
                print(type(lock).__name__, states)
            rlock = ctx.RLock()
            rlock.acquire(); rlock.acquire(); rlock.release()
            print('RLock held once more', rlock.locked())
            rlock.release()
            for make in (ctx.Semaphore, ctx.BoundedSemaphore):
                sem = make(2)
                states = [sem.locked()]
                sem.acquire()
                states.append(sem.locked())
                sem.acquire()
                states.append(sem.locked())
                sem.release()
                states.append(sem.locked())
                sem.release()
                print(type(sem).__name__, states)
            # held by another process: locked() sees it (gh-132561)
            for method in ('fork', 'spawn'):
                c = mp.get_context(method)
                lock, held, done = c.Lock(), c.Event(), c.Event()
                p = c.Process(target=st.hold_lock, args=(lock, held, done))
                p.start()
                assert held.wait(30)
                print(method, 'child holds it', lock.locked())
                done.set()
                p.join(30)
                print(method, 'child released it', lock.locked())
    """, tmp_path)
    assert out == [
        'Lock [False, True, False]',
        'RLock [False, True, False]',
        'RLock held once more True',
        'Semaphore [False, False, True, False]',
        'BoundedSemaphore [False, False, True, False]',
        'fork child holds it True', 'fork child released it False',
        'spawn child holds it True', 'spawn child released it False',
    ]


def test_manager_proxies_of_3_14(tmp_path):
    out = run_ok('3.14.1', """
        import teachmp as mp

        if __name__ == '__main__':
            with mp.Manager() as m:
                lock = m.Lock()
                before = lock.locked()
                lock.acquire()
                print('Lock proxy', before, lock.locked())
                lock.release()

                s = m.set([1, 2])
                print(type(s).__name__, sorted(s), len(s), 2 in s, 5 in s)
                # iterating gives a local copy of the elements, no proxy
                print('iter', type(iter(s)).__name__)
                s.add(3)
                same = s
                s |= {4}
                s -= {1}
                print('in place', s is same, sorted(s))
                print('new sets', sorted(s | {9}), sorted(s & {2, 3}),
                      sorted(s - {2}), sorted(s ^ {2, 7}), type(s | {9}).__name__)
                print('compare', s <= {2, 3, 4, 5}, s >= {2}, s.issubset(range(9)),
                      s.isdisjoint({8}))
                s.discard(2)
                s.remove(3)
                print('str', str(s))
                s.clear()
                print('cleared', len(s))
                print('empty', sorted(m.set()))

                lst = m.list([3, 1, 2])
                copy = lst.copy()
                lst.clear()
                print('list', copy, type(copy).__name__, len(lst))

                d = m.dict({'a': 1, 'b': 2})
                print('fromkeys', d.fromkeys(['x', 'y'], 0))
                print('reversed', list(reversed(d)))
                print('or', d | {'c': 3}, {'z': 0} | d, type(d | {}).__name__)
                same = d
                d |= {'e': 5}
                print('ior', d is same, sorted(d.keys()))
    """, tmp_path)
    assert out == [
        'Lock proxy False True',
        'SetProxy [1, 2] 2 True False',
        'iter list_iterator',
        'in place True [2, 3, 4]',
        'new sets [2, 3, 4, 9] [2, 3] [3, 4] [3, 4, 7] set',
        'compare True True True True',
        'str {4}',
        'cleared 0',
        'empty []',
        'list [3, 1, 2] list 0',
        "fromkeys {'x': 0, 'y': 0}",
        "reversed ['b', 'a']",
        "or {'a': 1, 'b': 2, 'c': 3} {'z': 0, 'a': 1, 'b': 2} dict",
        "ior True ['a', 'b', 'e']",
    ]


def test_set_proxy_is_generic_and_a_mutable_set(tmp_path):
    out = run_ok('3.14.1', """
        import collections.abc
        import teachmp.managers as managers

        if __name__ == '__main__':
            print(managers.SetProxy[int])
            print(issubclass(managers.SetProxy, collections.abc.MutableSet),
                  issubclass(managers.ListProxy, collections.abc.MutableSequence),
                  issubclass(managers.DictProxy, collections.abc.MutableMapping))
    """, tmp_path)
    assert out == ['teachmp.manager_proxies.SetProxy[int]', 'True True True']


def test_util_warn(tmp_path):
    status, out, err = run_as('3.14.1', """
        from teachmp import util

        if __name__ == '__main__':
            print(util.WARNING, 'warn' in util.__all__)
            util.warn('not logged yet')
            util.log_to_stderr()
            util.warn('careful: %d', 3)
    """, tmp_path)
    assert status == 0, err
    assert out == ['30 True']
    # the logger's default level (WARNING) lets it through; the format is
    # the stdlib's DEFAULT_LOGGING_FORMAT
    assert err.splitlines() == ['[WARNING/MainProcess] careful: 3']


PRELOAD = """
    import teachmp as mp
    import surface_targets as st

    if __name__ == '__main__':
        ctx = mp.get_context('forkserver')
        ctx.set_forkserver_preload(['no_such_module_for_teachmp'], on_error=%r)
        p = ctx.Process(target=st.print_kwargs, args=('child',))
        try:
            p.start()
            p.join(30)
            print('exitcode', p.exitcode)
        except (EOFError, ConnectionError) as e:
            print('start failed:', getattr(e, '__notes__', ['(no note)'])[0])
"""


def test_forkserver_preload_on_error(tmp_path):
    status, out, err = run_as('3.15.0', PRELOAD % 'ignore', tmp_path)
    assert (status, out) == (0, ["args=('child',) kwargs={}", 'exitcode 0']), err
    assert 'no_such_module_for_teachmp' not in err

    status, out, err = run_as('3.15.0', PRELOAD % 'warn', tmp_path,
                              env={'PYTHONWARNINGS': 'always'})
    assert (status, out) == (0, ["args=('child',) kwargs={}", 'exitcode 0']), err
    assert "ImportWarning: Failed to preload module 'no_such_module_for_teachmp'" in err

    # 'fail': the fork server exits with the error; starting a child fails,
    # with a note that says where to look
    status, out, err = run_as('3.15.0', PRELOAD % 'fail', tmp_path)
    note = ('Forkserver process may have crashed' if sys.version_info >= (3, 11)
            else '(no note)')     # exception notes are 3.11+
    assert len(out) == 1 and out[0].startswith('start failed: ' + note), (out, err)
    assert "ModuleNotFoundError: No module named 'no_such_module_for_teachmp'" in err

    status, out, err = run_as('3.15.0', """
        import teachmp as mp
        if __name__ == '__main__':
            try:
                mp.set_forkserver_preload([], on_error='loud')
            except ValueError as e:
                print(e)
    """, tmp_path)
    assert out == ["on_error must be 'ignore', 'warn', or 'fail', not 'loud'"], err


def test_forkserver_preload_on_error_is_new_in_3_15(tmp_path):
    out = run_ok('3.14.1', """
        import teachmp as mp
        if __name__ == '__main__':
            try:
                mp.set_forkserver_preload([], on_error='warn')
            except TypeError:
                print('TypeError')
    """, tmp_path)
    assert out == ['TypeError']


@pytest.mark.skipif(sys.platform != 'linux', reason='the Linux default')
def test_default_start_method_is_forkserver_from_3_14(tmp_path):
    code = """
        import teachmp as mp
        if __name__ == '__main__':
            print(mp.get_start_method())
    """
    assert run_ok('3.14.1', code, tmp_path) == ['forkserver']
    assert run_ok('3.13.0', code, tmp_path) == ['fork']


NAMES_3_14 = """
    import teachmp, teachmp.managers, teachmp.process, teachmp.synchronize, teachmp.util
    names = [
        (teachmp.process.BaseProcess, 'interrupt'),
        (teachmp.synchronize.Lock, 'locked'), (teachmp.synchronize.RLock, 'locked'),
        (teachmp.synchronize.Semaphore, 'locked'),
        (teachmp.synchronize.BoundedSemaphore, 'locked'),
        (teachmp.managers.AcquirerProxy, 'locked'),
        (teachmp.managers.ConditionProxy, 'locked'),
        (teachmp.managers, 'SetProxy'), (teachmp.managers.SyncManager, 'set'),
        (teachmp.managers.ListProxy, 'clear'), (teachmp.managers.ListProxy, 'copy'),
        (teachmp.managers.DictProxy, 'fromkeys'),
        (teachmp.managers.DictProxy, '__reversed__'),
        (teachmp.managers.DictProxy, '__or__'), (teachmp.managers.DictProxy, '__ror__'),
        (teachmp.managers.DictProxy, '__ior__'),
        (teachmp.util, 'warn'), (teachmp.util, 'WARNING'),
    ]
    def has(where, name):      # not type.__or__, which every class has
        if isinstance(where, type):
            return any(name in vars(k) for k in where.__mro__)
        return hasattr(where, name)
    print(sorted({has(where, name) for where, name in names}))
"""


@pytest.mark.parametrize('version,present', [('3.14.0', [True]), ('3.13.9', [False])])
def test_every_3_14_name_follows_the_gate(version, present, tmp_path):
    """All of them appear together at 3.14, none before."""
    assert run_ok(version, NAMES_3_14, tmp_path) == [str(present)]
