"""teachmp.util against multiprocessing.util: finalizers, after-fork hooks,
exit clean-up, the temp dir, descriptor helpers, the private names clients use.

Most checks run a small program in a fresh interpreter (the registries are
per process and the interesting moments are fork and exit) and compare what
it prints on both implementations.
"""

import os
import subprocess
import sys
import textwrap

import pytest

from impls import IMPLS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run(impl_name, code, timeout=60):
    """Run ``code`` with ``mp`` bound to the implementation; return stdout lines."""
    prelude = (f'import {IMPLS[impl_name]} as mp\n'
               f'from {IMPLS[impl_name]} import util\n')
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, '-c', prelude + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


@pytest.fixture(params=list(IMPLS))
def name(request):
    return request.param


def both(code):
    """The program's output on the stdlib, after checking teachmp prints the same."""
    expected = run('stdlib', code)
    assert run('teachmp', code) == expected
    return expected


def test_finalizers_run_at_exit_by_priority():
    out = both("""
        class Obj: pass
        keep = Obj()
        util.Finalize(None, print, ('p1',), exitpriority=1)
        util.Finalize(None, print, ('p10',), exitpriority=10)
        util.Finalize(None, print, ('p0',), exitpriority=0)
        util.Finalize(None, print, ('p-5',), exitpriority=-5)
        util.Finalize(keep, print, ('no priority: never at exit',))
        util.Finalize(keep, print, ('obj p3',), exitpriority=3)
        gone = Obj()
        util.Finalize(gone, print, ('collected',))
        del gone
        print('main done')
    """)
    assert out == ['collected', 'main done', 'p10', 'obj p3', 'p1', 'p0', 'p-5']


def test_finalize_call_cancel_and_argument_checks():
    out = both("""
        f = util.Finalize(None, lambda a, b=0: a + b, (1,), {'b': 2}, exitpriority=0)
        print(f.still_active(), f(), f(), f.still_active())
        g = util.Finalize(None, print, ('cancelled',), exitpriority=0)
        g.cancel(); g.cancel()
        print(g.still_active(), 'dead' in repr(g))
        for args in [(None, print), (None, print, (), None, 1.5)]:
            try:
                util.Finalize(*args)
            except Exception as e:
                print(type(e).__name__, e)
        util._run_finalizers()
        print(len(util._finalizer_registry))
    """)
    assert out[0] == 'True 3 None False'
    assert out[1] == 'False True'
    assert out[2].startswith('ValueError')
    assert out[3].startswith('TypeError')


def test_finalize_is_ignored_in_a_forked_child():
    # A forked child inherits the object but not the duty.
    out = both("""
        import os
        class Obj: pass
        o = Obj()
        util.Finalize(o, print, ('finalizer ran',))
        pid = os.fork()
        if pid == 0:
            del o
            os._exit(0)
        os.waitpid(pid, 0)
        print('child done')
        del o
    """)
    assert out == ['child done', 'finalizer ran']


def test_after_fork_hooks_accept_unhashable_objects_and_several_hooks():
    out = both("""
        class Unhashable:
            __hash__ = None
        u = Unhashable()
        util.register_after_fork(u, lambda obj: print('first', type(obj).__name__, flush=True))
        util.register_after_fork(u, lambda obj: print('second', flush=True))
        ctx = mp.get_context('fork')
        p = ctx.Process(target=print, args=('target',), kwargs={'flush': True})
        p.start(); p.join(30)
        print('exitcode', p.exitcode)
    """)
    assert out == ['first Unhashable', 'second', 'target', 'exitcode 0']


def test_fork_aware_lock_and_local():
    out = both("""
        import pickle
        lock = util.ForkAwareThreadLock()
        local = util.ForkAwareLocal()
        local.x = 1
        def child():
            print('acquired', lock.acquire(timeout=5), flush=True)
            print('has x', hasattr(local, 'x'), flush=True)
        with lock:
            ctx = mp.get_context('fork')
            p = ctx.Process(target=child)
            p.start(); p.join(30)
        print('parent x', local.x, type(pickle.loads(pickle.dumps(local))).__name__)
    """)
    assert out == ['acquired True', 'has x False', 'parent x 1 ForkAwareLocal']


def test_is_exiting_and_exit_function():
    out = both("""
        print(util.is_exiting())
        util.Finalize(None, lambda: print('at exit', util.is_exiting()), exitpriority=0)
        util._exit_function()
        util._exit_function()       # a second call does nothing
        print('after')
    """)
    assert out == ['False', 'at exit True', 'after']


def test_temp_dir_shared_with_forked_child_and_removed_at_exit():
    out = both("""
        import os
        d = util.get_temp_dir()
        print(os.path.isdir(d), util.get_temp_dir() == d)
        r, w = os.pipe()
        ctx = mp.get_context('fork')
        p = ctx.Process(target=lambda: os.write(w, util.get_temp_dir().encode()))
        p.start(); p.join(30)
        print(os.read(r, 1000).decode() == d, os.path.isdir(d))
        util._cleanup_tests()       # runs the finalizers: the dir goes
        print(os.path.isdir(d))
    """)
    assert out == ['True True', 'True True', 'False']


def test_close_all_fds_except_in_a_forked_child():
    out = both("""
        import os
        fds = [os.open(os.devnull, os.O_RDONLY) for _ in range(4)]
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            util.close_all_fds_except([w, fds[1]])
            alive = []
            for fd in fds:
                try:
                    os.fstat(fd); alive.append(fds.index(fd))
                except OSError:
                    pass
            os.write(w, repr(alive).encode())
            os._exit(0)
        os.close(w)
        os.waitpid(pid, 0)
        print(os.read(r, 100).decode())
    """)
    assert out == ['[1]']


def test_spawnv_passfds_passes_exactly_the_given_fds():
    out = both("""
        import os, sys
        r, w = os.pipe()
        other = os.open(os.devnull, os.O_RDONLY)
        code = ('import os\\n'
                'os.write(%d, b"hello")\\n'
                'try:\\n os.fstat(%d); print("leaked")\\n'
                'except OSError: pass\\n' % (w, other))
        pid = util.spawnv_passfds(os.fsencode(sys.executable), [sys.executable, '-c', code], [w])
        os.close(w)
        print(os.read(r, 100).decode(), os.waitpid(pid, 0)[1])
    """)
    assert out == ['hello 0']


def test_abstract_socket_names_and_small_names(name):
    util = __import__(IMPLS[name] + '.util', fromlist=['util'])
    assert util.is_abstract_socket_namespace('\0abc')
    assert util.is_abstract_socket_namespace(b'\0abc')
    assert not util.is_abstract_socket_namespace('/tmp/x')
    assert not util.is_abstract_socket_namespace('')
    with pytest.raises(TypeError):
        util.is_abstract_socket_namespace(('localhost', 0))
    assert (util.SUBDEBUG, util.SUBWARNING) == (5, 25)
    assert util._args_from_interpreter_flags() == subprocess._args_from_interpreter_flags()
    for n in util.__all__:
        assert hasattr(util, n)


def test_private_logger_state_is_live():
    out = both("""
        print(util._logger is None, util._log_to_stderr)
        util.log_to_stderr()
        print(util._logger is util.get_logger(), util._log_to_stderr)
    """)
    assert out == ['True False', 'True True']


def test_all_matches_the_stdlib():
    import multiprocessing.util
    import teachmp.util
    assert teachmp.util.__all__ == multiprocessing.util.__all__
