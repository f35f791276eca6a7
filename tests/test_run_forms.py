"""``python -m teachmp run`` runs whatever ``python`` runs, the same way.

One program, in every form ``python`` accepts: a script, a ``.pyc``, a
directory with ``__main__.py``, a zip application, ``-m package.module`` and
``-c code``.  Each form runs as ``python FORM ARGS`` (the stdlib) and as
``python -m teachmp run FORM ARGS``; both must print the same -- ``sys.argv``,
``sys.path[0]``, ``__main__``'s name, spec, file and loader, the results of a
``Pool`` whose workers need the main module's function (spawn: the child
must find the main module the way the stdlib's does) -- apart from one line
naming the engine, which must say teachmp.  With an uncaught exception the
traceback (stderr) and the exit status must be python's too: no frames of
teachmp's own.

Then ``TEACHMP_ALIAS_SUBPROCESS=1``: interpreters that the program starts
with ``subprocess`` get teachmp as well (and another ``sitecustomize`` on
the path still runs).
"""

from __future__ import annotations

import py_compile
import textwrap
import zipfile

import pytest

import targets

PROGRAM = textwrap.dedent("""\
    import multiprocessing
    import os
    import sys


    def square(x):
        return x * x


    def where(path):
        return os.path.relpath(path, os.getcwd()) if os.path.isabs(path) else path


    def fail():
        raise LookupError('raised by the program')


    if __name__ == '__main__':
        print('argv', [where(a) for a in sys.argv])
        print('path0', repr(where(sys.path[0])))
        print('main', __name__, __spec__.name if __spec__ else None,
              where(globals().get('__file__', '-')), type(__loader__).__name__
              if not isinstance(__loader__, type) else __loader__.__name__)
        print('engine', multiprocessing.Pool.__module__.split('.')[0])
        method = sys.argv[1]
        # a __main__.py (directory, zip) is never run again in a spawned
        # child, so what it defines cannot be sent there (stdlib rule too)
        func = abs if __spec__ and __spec__.name == '__main__' else square
        with multiprocessing.get_context(method).Pool(2) as pool:
            print(method, pool.map(func, range(-2, 3), chunksize=2))
        sys.stdout.flush()
        if 'raise' in sys.argv:
            fail()
    """)


def make_forms(base):
    """Write the program in every form; map form -> argv before the args."""
    (base / 'prog.py').write_text(PROGRAM)
    py_compile.compile(str(base / 'prog.py'), cfile=str(base / 'compiled.pyc'),
                       doraise=True)
    appdir = base / 'appdir'
    appdir.mkdir()
    (appdir / '__main__.py').write_text(PROGRAM)
    with zipfile.ZipFile(base / 'app.zip', 'w') as z:
        z.writestr('__main__.py', PROGRAM)
    pkg = base / 'pkg'
    pkg.mkdir()
    (pkg / '__init__.py').write_text('')
    (pkg / 'mod.py').write_text(PROGRAM)
    return {
        'script': ['prog.py'],
        'pyc': ['compiled.pyc'],
        'directory': ['appdir'],
        'zipapp': ['app.zip'],
        'module': ['-m', 'pkg.mod'],
        'code': ['-c', PROGRAM],
    }


@pytest.fixture(scope='module')
def forms(tmp_path_factory):
    base = tmp_path_factory.mktemp('forms')
    return base, make_forms(base)


def run_both(base, argv, *args, env=None):
    stdlib = targets.run_python([*argv, *args], impl_name='stdlib', cwd=base, env=env)
    teachmp = targets.run_python(['-m', 'teachmp', 'run', *argv, *args], cwd=base, env=env)
    return stdlib, teachmp


def engine_apart(stdout):
    lines = stdout.splitlines()
    engines = [line for line in lines if line.startswith('engine ')]
    return engines, [line for line in lines if not line.startswith('engine ')]


FORM_METHODS = [
    (form, method)
    for form in ('script', 'pyc', 'directory', 'zipapp', 'module', 'code')
    # a function defined in -c code cannot be found by a spawned child,
    # with the stdlib too: -c is run with fork only
    for method in (('fork',) if form == 'code' else ('fork', 'spawn'))
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize('form, method', FORM_METHODS,
                         ids=[f'{f}-{m}' for f, m in FORM_METHODS])
def test_same_as_python(forms, form, method):
    base, argvs = forms
    stdlib, teachmp = run_both(base, argvs[form], method, 'two words')
    assert stdlib.returncode == 0, stdlib.stderr
    assert teachmp.returncode == 0, teachmp.stderr
    s_engine, s_rest = engine_apart(stdlib.stdout)
    t_engine, t_rest = engine_apart(teachmp.stdout)
    assert s_engine == ['engine multiprocessing']
    assert t_engine == ['engine teachmp']
    assert t_rest == s_rest
    assert (f'{method} [2, 1, 0, 1, 2]' in t_rest if form in ('directory', 'zipapp')
            else f'{method} [4, 1, 0, 1, 4]' in t_rest)
    assert teachmp.stderr == stdlib.stderr == ''


@pytest.mark.timeout(120)
@pytest.mark.parametrize('form', ['script', 'pyc', 'directory', 'zipapp', 'module', 'code'])
def test_uncaught_exception_reads_as_under_python(forms, form):
    """Same traceback (from the program's first frame: no teachmp frames),
    same exit status."""
    base, argvs = forms
    stdlib, teachmp = run_both(base, argvs[form], 'fork', 'raise')
    assert stdlib.returncode == teachmp.returncode == 1
    assert stdlib.stderr.rstrip().endswith('LookupError: raised by the program')
    assert teachmp.stderr == stdlib.stderr
    assert 'teachmp' not in teachmp.stderr


@pytest.mark.timeout(60)
def test_missing_targets_fail_like_python(forms, tmp_path):
    base, _ = forms
    (base / 'empty_dir').mkdir(exist_ok=True)
    for argv in (['nosuch.py'], ['-m', 'nosuch_module'], ['empty_dir']):
        stdlib, teachmp = run_both(base, argv)
        assert teachmp.returncode == stdlib.returncode != 0, argv
        assert teachmp.stderr == stdlib.stderr, argv
        assert teachmp.stdout == stdlib.stdout == ''


CHILD = ("import subprocess, sys\n"
         "out = subprocess.run([sys.executable, '-c', 'import multiprocessing; "
         "print(\"child engine\", multiprocessing.__name__)'], capture_output=True, "
         "text=True, timeout=60)\n"
         "print(out.stdout.strip())\n"
         "print('child status', out.returncode)\n")


@pytest.mark.timeout(120)
def test_alias_reaches_subprocesses_when_asked(tmp_path):
    (tmp_path / 'starts_python.py').write_text(CHILD)
    other = tmp_path / 'other_site'
    other.mkdir()
    (other / 'sitecustomize.py').write_text("print('other sitecustomize ran')\n")
    plain_env = targets.program_env(None, {'PYTHONPATH': str(other)})
    asked_env = dict(plain_env, TEACHMP_ALIAS_SUBPROCESS='1')

    def lines(result):
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    # without the variable the program is on teachmp, its subprocess is not
    stdlib, teachmp = run_both(tmp_path, ['starts_python.py'], env=plain_env)
    expected = ['other sitecustomize ran', 'other sitecustomize ran',
                'child engine multiprocessing', 'child status 0']
    assert lines(stdlib) == lines(teachmp) == expected
    # with it, the subprocess is on teachmp too, and the sitecustomize that
    # ours hides on the path still runs; plain python ignores the variable
    stdlib, teachmp = run_both(tmp_path, ['starts_python.py'], env=asked_env)
    assert lines(stdlib) == expected
    assert lines(teachmp) == ['other sitecustomize ran', 'other sitecustomize ran',
                              'child engine teachmp', 'child status 0']
