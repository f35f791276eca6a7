"""pytest glue shared by every exercise (also copied into a student's copy).

Where is the code under test?

* In the teachmp repository each chapter folder holds ``starter/`` and
  ``solution/``.  The tests run against ``starter/`` unless ``--impl solution``
  is given (or the environment variable ``TEACHMP_EXERCISE_IMPL=solution``).
* In a student's copy (made by ``python -m teachmp exercises start`` or
  ``python -m teachmp classroom export``) the exercise files sit right next
  to ``tests/``, and those files are what is tested.

Test files never import the exercise module themselves: they ask for the
``ex`` fixture.  That way a file with a syntax error fails each of its tests
(so the score stays out of the same total) instead of hiding them.

``--mp teachmp`` (or ``TEACHMP_EXERCISE_MP=teachmp``) makes
``import multiprocessing`` resolve to teachmp, so the same tests also run
your code on the library this project builds.
"""
import importlib
import os
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent


def pytest_addoption(parser):
    group = parser.getgroup('teachmp exercises')
    group.addoption(
        '--impl', choices=['starter', 'solution'],
        default=os.environ.get('TEACHMP_EXERCISE_IMPL', 'starter'),
        help='in the teachmp repository: test starter/ (default) or solution/')
    group.addoption(
        '--mp', choices=['stdlib', 'teachmp'],
        default=os.environ.get('TEACHMP_EXERCISE_MP', 'stdlib'),
        help='which multiprocessing `import multiprocessing` gives (default stdlib)')


def chapter_dirs():
    """Folders that hold a tests/ folder: the chapters (or this folder itself)."""
    candidates = [HERE] + sorted(p for p in HERE.iterdir() if p.is_dir())
    return [d for d in candidates if (d / 'tests').is_dir()]


def module_dir(chapter, impl):
    """The folder holding the exercise files of one chapter."""
    if (chapter / 'starter').is_dir() or (chapter / 'solution').is_dir():
        return chapter / impl          # the teachmp repository layout
    return chapter                     # a student's copy


def pytest_configure(config):
    impl = config.getoption('--impl')
    if config.getoption('--mp') == 'teachmp':
        # Before any test module runs `import multiprocessing`.
        os.environ['TEACHMP_EXERCISE_MP'] = 'teachmp'
        from teachmp import runner
        runner.install_alias()
    for chapter in chapter_dirs():
        # On sys.path so that a spawned child can import the exercise module
        # again (the stdlib passes the parent's sys.path to the child).
        sys.path.insert(0, str(module_dir(chapter, impl)))
        for test_file in sorted((chapter / 'tests').glob('test_ex*.py')):
            marker = test_file.stem[len('test_'):]           # ex03_2
            number = marker[2:].replace('_', '.')            # 03.2
            config.addinivalue_line(
                'markers', f'{marker}: tests of exercise {number} ({chapter.name})')


@pytest.fixture
def ex(request):
    """The exercise module that this test file checks (test_ex03_2 -> ex03_2_*.py)."""
    test_path = pathlib.Path(str(request.node.fspath))
    key = test_path.stem[len('test_'):]
    folder = module_dir(test_path.parent.parent, request.config.getoption('--impl'))
    found = sorted(folder.glob(key + '_*.py'))
    if not found:
        pytest.fail(f'no file {key}_*.py in {folder}', pytrace=False)
    try:
        return importlib.import_module(found[0].stem)
    except SyntaxError as exc:
        # Said plainly, once per test: the file does not compile, so no test ran it.
        where = f'{pathlib.Path(exc.filename or found[0]).name}, line {exc.lineno}'
        pytest.fail(f'SyntaxError in {where}: {exc.msg} (fix it: no test can run '
                    'this file until it compiles)', pytrace=False)


@pytest.fixture(autouse=True)
def _no_escaped_child_and_no_leftovers():
    pid = os.getpid()
    yield
    if os.getpid() != pid:
        # A forked child came back into pytest: it returned (or raised)
        # instead of leaving with os._exit().  Stop it here (exit code 70).
        os.write(2, b'\n*** a forked child returned into pytest instead of '
                    b'ending with os._exit(); stopped with exit code 70 ***\n')
        os._exit(70)
    mp = sys.modules.get('multiprocessing')
    left = mp.active_children() if mp is not None else []
    if left:
        for p in left:
            p.kill()
            p.join(5)
        pytest.fail(f'process(es) still running after the test: {left!r} '
                    '(join every process you start)', pytrace=False)
