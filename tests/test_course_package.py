"""The course tools live beside the library, not inside it.

* ``teachmp`` (the re-implementation of ``multiprocessing``) never imports
  ``teachmp_course``, except its command line forwarding to it;
* under ``python -m teachmp run``, ``import multiprocessing.grading`` fails
  with ModuleNotFoundError, as it does with the stdlib;
* a wheel built from this tree, installed into a fresh virtual environment
  with nothing of the checkout on ``sys.path``, carries the exercises (never a
  solution): ``exercises list``, ``start`` and ``check`` work there.
"""
import ast
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import pytest
from coverage_scope import env_without_coverage

ROOT = pathlib.Path(__file__).resolve().parent.parent
TIMEOUT = 120


def test_the_library_does_not_import_the_course_tools():
    found = []
    for path in sorted((ROOT / 'teachmp').rglob('*.py')):
        if path.name == '__main__.py':        # forwards the course commands
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or '']
            found += [(path.name, n) for n in names if n.split('.')[0] == 'teachmp_course']
    assert not found
    assert not (ROOT / 'teachmp' / 'grading.py').exists()
    assert not (ROOT / 'teachmp' / 'classroom.py').exists()


PROBE = """\
import importlib, multiprocessing
print('multiprocessing is', multiprocessing.__name__)
for name in ('grading', 'classroom', 'workspace', 'cli'):
    try:
        importlib.import_module('multiprocessing.' + name)
    except ModuleNotFoundError as exc:
        print(name, 'ModuleNotFoundError', exc.name)
    else:
        print(name, 'imported')
"""


@pytest.mark.parametrize('how', ['stdlib', 'teachmp run'])
def test_multiprocessing_grading_does_not_exist(tmp_path, how):
    script = tmp_path / 'probe.py'
    script.write_text(PROBE)
    cmd = [sys.executable, str(script)]
    if how != 'stdlib':
        cmd[1:1] = ['-m', 'teachmp', 'run']
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True,
                          timeout=TIMEOUT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    expected = 'multiprocessing' if how == 'stdlib' else 'teachmp'
    assert lines[0] == f'multiprocessing is {expected}'
    assert lines[1:] == [f'{name} ModuleNotFoundError multiprocessing.{name}'
                         for name in ('grading', 'classroom', 'workspace', 'cli')]


def _pytest_site(tmp_path):
    """A folder holding only pytest and pytest-timeout and what they require,
    linked from this interpreter's site-packages: the fresh environment gets
    pytest without getting the checkout's editable teachmp."""
    import importlib.metadata
    from packaging.requirements import Requirement
    site = pathlib.Path(sysconfig.get_paths()['purelib'])
    deps = tmp_path / 'pytest-only'
    deps.mkdir()
    todo, seen = ['pytest', 'pytest-timeout'], set()
    while todo:
        name = todo.pop()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        dist = importlib.metadata.distribution(name)
        for text in dist.requires or ():
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({'extra': ''}):
                todo.append(req.name)
        for top in {pathlib.PurePath(str(f)).parts[0] for f in dist.files or ()}:
            source = pathlib.Path(dist.locate_file(top))
            if source.parent == site and source.exists() and not (deps / top).exists() \
                    and not top.endswith('.pth') and top != '__pycache__':
                (deps / top).symlink_to(source)
    return deps


@pytest.mark.timeout(240)
def test_a_wheel_install_carries_the_exercises(tmp_path):
    # Build from a copy of the tree: the build writes build/ and *.egg-info.
    src = tmp_path / 'src'
    src.mkdir()
    for name in ('pyproject.toml', 'README.md'):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns('__pycache__', '*.pyc', 'grade-*')
    for name in ('teachmp', 'teachmp_course', 'exercises'):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    wheels = tmp_path / 'wheels'
    build = subprocess.run(
        [sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation',
         '--no-index', '-q', '-w', str(wheels), str(src)],
        capture_output=True, text=True, timeout=TIMEOUT,
        env=env_without_coverage())  # pip runs no teachmp code (tests/coverage_scope.py)
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = wheels.glob('teachmp-*.whl')

    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if '/solution/' in n], 'a solution is in the wheel'
    expected = {'teachmp_course/exercises/' + p.relative_to(ROOT / 'exercises').as_posix()
                for p in (ROOT / 'exercises').rglob('*')
                if p.is_file() and 'solution' not in p.parts and '__pycache__' not in p.parts}
    assert expected <= set(names), sorted(expected - set(names))
    library = {'teachmp/' + p.relative_to(ROOT / 'teachmp').as_posix()
               for p in (ROOT / 'teachmp').rglob('*.py') if '__pycache__' not in p.parts}
    assert library <= set(names), sorted(library - set(names))

    venv = tmp_path / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(venv)],
                   check=True, timeout=TIMEOUT)
    python = venv / 'bin' / 'python'
    install = subprocess.run(
        [sys.executable, '-m', 'pip', '--python', str(python), 'install', '--no-deps',
         '--no-index', '-q', str(wheel)], capture_output=True, text=True, timeout=TIMEOUT,
        env=env_without_coverage())
    assert install.returncode == 0, install.stdout + install.stderr
    purelib = subprocess.run([str(python), '-c', "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    pathlib.Path(purelib, 'pytest-only.pth').write_text(str(_pytest_site(tmp_path)) + '\n')

    env = {k: v for k, v in os.environ.items()
           if k not in ('PYTHONPATH', 'TEACHMP_EXERCISES', 'VIRTUAL_ENV')}
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    home = tmp_path / 'home'
    home.mkdir()

    def run(*args, cwd=home):
        return subprocess.run([str(python), '-m', 'teachmp', *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT)

    where = subprocess.run([str(python), '-c', 'import teachmp, teachmp_course; '
                            'print(teachmp.__file__); print(teachmp_course.__file__)'],
                           cwd=home, env=env, capture_output=True, text=True)
    assert where.returncode == 0, where.stderr
    for line in where.stdout.splitlines():
        assert pathlib.Path(line).is_relative_to(venv), line

    proc = run('exercises', 'list')
    assert proc.returncode == 0, proc.stderr
    assert '01-processes' in proc.stdout and 'ex01_2' in proc.stdout
    assert str(venv) in proc.stdout                   # the packed exercises

    proc = run('exercises', 'start', '01', 'work')
    assert proc.returncode == 0, proc.stderr
    copy = home / 'work' / '01-processes'
    assert (copy / 'ex01_2_popen.py').is_file()

    proc = run('exercises', 'check', '01', cwd=home / 'work')
    assert proc.returncode == 1, proc.stdout + proc.stderr    # untouched starters
    assert 'not started yet: open 01-processes/ex01_2_popen.py' in proc.stdout

    solution = ROOT / 'exercises' / '01-processes' / 'solution'
    for path in solution.glob('*.py'):
        shutil.copyfile(path, copy / path.name)
    proc = run('exercises', 'check', '01', cwd=home / 'work')
    assert proc.returncode == 0, proc.stdout + proc.stderr
