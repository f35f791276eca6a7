"""The exercises are checked both ways, and their commands work.

For every exercise (one pytest marker each): its tests pass on the reference
solution, also with ``import multiprocessing`` resolving to teachmp, and
every one of them fails on the untouched starter (a test that passes on a
stub asserts nothing).  The exercise tests run in a separate pytest process,
one run per chapter and variant, shared by the tests below.

Then the commands: ``exercises list``, ``exercises start`` (a copy without
solutions, checkable in place) and ``grade`` (``Score: x/y``, JUnit XML, the
JSON summary, exit codes).  ``classroom export`` is tested in
``tests/test_classroom.py``.
"""
import ast
import contextlib
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import coverage_scope
import pytest

from teachmp_course import grading, workspace

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXERCISES = ROOT / 'exercises'
REPO = workspace.Workspace(EXERCISES, is_copy=False)
CHAPTERS = REPO.chapter_dirs()
# One xdist group per chapter: its tests share the chapter's runs (_runs), so
# in a parallel run (make test) they go to one worker and each run happens once.
ALL = [pytest.param(chapter.name, marker, id=marker,
                    marks=pytest.mark.xdist_group(f'exercises:{chapter.name}'))
       for chapter in CHAPTERS for marker, *_ in REPO.exercises(chapter)]
SOLUTION_TEXTS = {p.read_bytes() for p in EXERCISES.glob('*/solution/*.py')}

_runs = {}


def chapter_run(chapter, impl, mp, tmp_path_factory):
    """Run one chapter's tests once per (impl, mp); {marker: [(name, outcome, msg)]}."""
    key = (chapter, impl, mp)
    if key not in _runs:
        junit = tmp_path_factory.mktemp('junit') / 'results.xml'
        where = workspace.Workspace(EXERCISES, is_copy=False, impl=impl)
        cmd = grading.pytest_command(where, [EXERCISES / chapter / 'tests'], mp=mp,
                                     junit=junit, extra=['-q', '-p', 'no:warnings'])
        # with --mp stdlib the run executes no teachmp code (exercises/
        # conftest.py imports teachmp only for --mp teachmp): no coverage to
        # pay for in its processes (tests/coverage_scope.py)
        unmeasured = mp == 'stdlib'
        with coverage_scope.children_unmeasured() if unmeasured else contextlib.nullcontext():
            proc = grading.run_pytest(cmd, cwd=EXERCISES, capture=True)
        assert junit.is_file(), f'pytest wrote no JUnit XML:\n{proc.stdout[-3000:]}'
        _runs[key] = (proc, grading.parse_junit(junit))
    return _runs[key]


def cli(*args, cwd, timeout=180):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
    env['PYTHONPATH'] = os.pathsep.join(filter(None, [str(ROOT), env.get('PYTHONPATH')]))
    return subprocess.run([sys.executable, '-m', 'teachmp', *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def score(output):
    last = output.strip().splitlines()[-1]
    match = re.fullmatch(r'Score: (\d+)/(\d+)', last)
    assert match, f"last line is not 'Score: x/y': {last!r}"
    return int(match.group(1)), int(match.group(2))


# -- both ways ----------------------------------------------------------------

@pytest.mark.timeout(300)
@pytest.mark.parametrize('chapter, marker', ALL)
def test_solution_passes(chapter, marker, tmp_path_factory):
    proc, results = chapter_run(chapter, 'solution', 'stdlib', tmp_path_factory)
    cases = results.get(marker, [])
    assert cases, f'no test of {marker} ran:\n{proc.stdout[-3000:]}'
    bad = [(name, msg) for name, outcome, msg in cases if outcome != 'passed']
    assert not bad, f'{marker} fails on its solution: {bad}\n{proc.stdout[-3000:]}'


@pytest.mark.timeout(300)
@pytest.mark.parametrize('chapter, marker', ALL)
def test_solution_passes_on_teachmp(chapter, marker, tmp_path_factory):
    proc, results = chapter_run(chapter, 'solution', 'teachmp', tmp_path_factory)
    bad = [(name, msg) for name, outcome, msg in results.get(marker, []) if outcome != 'passed']
    assert results.get(marker) and not bad, \
        f'{marker} (solution, multiprocessing = teachmp): {bad}\n{proc.stdout[-3000:]}'


@pytest.mark.timeout(300)
@pytest.mark.parametrize('chapter, marker', ALL)
def test_starter_fails_every_test(chapter, marker, tmp_path_factory):
    _, solved = chapter_run(chapter, 'solution', 'stdlib', tmp_path_factory)
    proc, results = chapter_run(chapter, 'starter', 'stdlib', tmp_path_factory)
    cases = results.get(marker, [])
    assert len(cases) == len(solved.get(marker, [])), 'not the same tests collected'
    passing = [name for name, outcome, _ in cases if outcome == 'passed']
    assert not passing, f'these {marker} tests pass on the untouched starter: {passing}'


# -- the files follow the pattern ----------------------------------------------

def functions(path):
    tree = ast.parse(path.read_text(encoding='utf-8'))
    return {node.name: ast.get_docstring(node) for node in tree.body
            if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize('chapter, marker', ALL)
def test_layout_and_uniform_stubs(chapter, marker):
    folder = EXERCISES / chapter
    for readme in ('README.md', 'README.ja.md'):
        text = (folder / readme).read_text(encoding='utf-8')
        assert marker in text, f'{readme} of {chapter} does not mention {marker}'
    (starter,) = (folder / 'starter').glob(marker + '_*.py')
    solution = folder / 'solution' / starter.name
    assert solution.is_file()
    test_file = folder / 'tests' / f'test_{marker}.py'
    assert f'pytest.mark.{marker}' in test_file.read_text(encoding='utf-8')
    stubs, answers = functions(starter), functions(solution)
    assert stubs == answers, 'starter and solution differ in functions or docstrings'
    number = marker[2:].replace('_', '.')
    text = starter.read_text(encoding='utf-8')
    for name in stubs:
        assert f"raise NotImplementedError('exercise {number}: {name}()')" in text


# -- the commands -----------------------------------------------------------------

def test_exercises_list(tmp_path):
    proc = cli('exercises', 'list', cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for param in ALL:
        chapter, marker = param.values
        assert chapter in proc.stdout and marker in proc.stdout
    # A title wrapped over two docstring lines is shown whole.
    assert 'a filter that says which process (and whose child) wrote each line.' \
        in proc.stdout


def test_start_makes_a_checkable_copy_without_solutions(tmp_path):
    dest = tmp_path / 'work'
    proc = cli('exercises', 'start', '01', str(dest), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"Read the exercises: {dest / '01-processes' / 'README.md'}" in proc.stdout
    assert f'Next: cd {dest} && ' in proc.stdout
    files = [p for p in dest.rglob('*') if p.is_file()]
    assert not [p for p in files if 'solution' in p.relative_to(dest).parts]
    assert not [p for p in files if p.read_bytes() in SOLUTION_TEXTS]
    chapter = dest / '01-processes'
    assert {'README.md', 'README.ja.md', 'ex01_1_fan_out.py', 'ex01_2_popen.py'} <= \
        {p.name for p in chapter.iterdir()}

    proc = cli('exercises', 'check', '01', cwd=dest)       # untouched: fails
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert 'not started yet: open 01-processes/ex01_1_fan_out.py' in proc.stdout
    assert 'not started yet: open 01-processes/ex01_2_popen.py' in proc.stdout

    # A second start must not overwrite the student's work.
    (chapter / 'ex01_1_fan_out.py').write_text('# my work\n')
    proc = cli('exercises', 'start', '01', str(dest), cwd=tmp_path)
    assert proc.returncode == 2 and 'already exists' in proc.stderr
    assert (chapter / 'ex01_1_fan_out.py').read_text() == '# my work\n'

    # The student solves 01.2: grade counts it, --strict still fails on 01.1.
    solution = EXERCISES / '01-processes' / 'solution' / 'ex01_2_popen.py'
    (chapter / 'ex01_2_popen.py').write_bytes(solution.read_bytes())
    proc = cli('grade', '--strict', '--details', cwd=dest)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert score(proc.stdout) == (10, 20)                  # points: 01.2 done, 01.1 not
    assert re.search(r'01\.2\s+ex01_2\s+(\d+)/\1\s+tests\s+done\s+10/10\s+points', proc.stdout)
    assert (dest / 'grade-junit.xml').is_file()
    summary = json.loads((dest / 'grade-summary.json').read_text(encoding='utf-8'))
    assert summary['workspace'] == 'copy' and summary['exit_code'] == 1
    assert [e['status'] for e in summary['exercises']] == ['todo', 'done']
    assert summary['score'] == {'points': 10, 'max_points': 20, 'percent': 50.0}


def test_check_and_grade_outside_a_copy_refuse(tmp_path):
    """Not in a copy: no silent grading of the untouched starters."""
    dest = tmp_path / 'mywork'
    assert cli('exercises', 'start', '02', str(dest), cwd=tmp_path).returncode == 0
    for args in (('exercises', 'check', '02'), ('grade',), ('grade', '02')):
        proc = cli(*args, cwd=tmp_path)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert 'Score' not in proc.stdout and 'Checking' not in proc.stdout
        assert 'not in a copy of the exercises' in proc.stderr
        assert f'cd {dest}' in proc.stderr                 # the copy next door
        assert '--starters' in proc.stderr
    elsewhere = tmp_path / 'empty'
    elsewhere.mkdir()
    proc = cli('grade', cwd=elsewhere)
    assert proc.returncode == 2 and 'cd DEST' in proc.stderr
    # Inside the copy, --starters is refused: it would not test the student's work.
    proc = cli('exercises', 'check', '02', '--starters', cwd=dest)
    assert proc.returncode == 2 and 'your copy' in proc.stderr


def test_grade_in_the_repository(tmp_path):
    junit = tmp_path / 'out.xml'
    proc = cli('grade', '02', '--starters', '--junit', str(junit), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr     # graded, score 0
    assert "the repository's starter/ files" in proc.stdout
    passed, total = score(proc.stdout)
    markers = [m for m, *_ in REPO.exercises(EXERCISES / '02-start-methods')]
    assert passed == 0 and total == 10 * len(markers)
    for marker in markers:
        assert re.search(rf'{marker}\s+0/\d+\s+tests\s+todo', proc.stdout)
    suite = ET.parse(junit).getroot()
    cases = list(suite.iter('testcase'))
    summary = json.loads((tmp_path / 'grade-summary.json').read_text(encoding='utf-8'))
    assert len(cases) == summary['totals']['tests_total'] > 0
    assert not list(tmp_path.glob('grade-junit.xml'))
    assert summary['workspace'] == 'repository:starter'
    assert summary['score'] == {'points': 0, 'max_points': total, 'percent': 0.0}
    assert [(e['marker'], e['status']) for e in summary['exercises']] == \
        [(m, 'todo') for m in markers]

    summary_file = tmp_path / 'sub' / 'one.json'
    summary_file.parent.mkdir()
    proc = cli('grade', '02.1', '--solution', '--strict', '--junit', str(junit),
               '--json', str(summary_file), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert score(proc.stdout) == (10, 10)
    assert 'ex02_2' not in proc.stdout
    summary = json.loads(summary_file.read_text(encoding='utf-8'))
    assert summary['workspace'] == 'repository:solution' and summary['exit_code'] == 0
    assert [(e['marker'], e['status'], e['points']) for e in summary['exercises']] == \
        [('ex02_1', 'done', 10)]

    proc = cli('grade', '02.1', '--starters', '--strict', '--junit', str(junit),
               cwd=tmp_path)
    assert proc.returncode == 1


def test_unknown_chapter_is_a_clear_error(tmp_path):
    proc = cli('exercises', 'check', '42', '--starters', cwd=tmp_path)
    assert proc.returncode == 2
    assert "no chapter '42'" in proc.stderr


# -- what check says -------------------------------------------------------------

@pytest.fixture
def copy03(tmp_path):
    dest = tmp_path / 'w'
    assert cli('exercises', 'start', '03', str(dest), cwd=tmp_path).returncode == 0
    return dest


def test_check_is_short_and_names_the_cause(copy03):
    chapter = copy03 / '03-pipes'
    proc = cli('exercises', 'check', '03', cwd=copy03)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) <= 8, proc.stdout
    assert 'not started yet: open 03-pipes/ex03_1_pool.py' in proc.stdout
    assert 'Traceback' not in proc.stdout and '=====' not in proc.stdout

    # 03.1 with a worker that raises: the child's error comes first.
    solution = (EXERCISES / '03-pipes' / 'solution' / 'ex03_1_pool.py').read_text()
    broken = re.sub(r'(def worker\(.*\):\n(?:    .*\n)*?    \"\"\"(?:.|\n)*?\"\"\"\n)',
                    r'\1    raise ValueError("planted in the worker")\n', solution, count=1)
    assert broken != solution
    (chapter / 'ex03_1_pool.py').write_text(broken)
    # 03.2 does not compile.
    (chapter / 'ex03_2_frame.py').write_text('def frame(:\n    pass\n')
    proc = cli('exercises', 'check', '03', cwd=copy03)
    assert proc.returncode == 1
    row = next(line for line in proc.stdout.splitlines() if 'ex03_1' in line)
    child = row.find('in a child process: ValueError: planted in the worker')
    assert child != -1, proc.stdout
    assert row.find('then in the test:') > child
    row = next(line for line in proc.stdout.splitlines() if 'ex03_2' in line)
    assert re.search(r'broken\s+SyntaxError in ex03_2_frame.py, line 1', row), row

    proc = cli('grade', '03', cwd=copy03)
    assert 'SyntaxError in ex03_2_frame.py' in proc.stdout

    # The full pytest output is one flag away.
    proc = cli('exercises', 'check', '03', '-e', 'ex03_2', '--full', cwd=copy03)
    assert proc.returncode == 1
    assert 'short test summary info' in proc.stdout


def test_check_s_shows_prints(copy03):
    chapter = copy03 / '03-pipes'
    text = (chapter / 'ex03_2_frame.py').read_text()
    (chapter / 'ex03_2_frame.py').write_text(text + "\nprint('PRINTED-ON-IMPORT')\n")
    proc = cli('exercises', 'check', '03', '-e', 'ex03_2', '-s', cwd=copy03)
    assert proc.returncode == 1, proc.stderr
    assert 'unrecognized' not in proc.stderr
    assert 'PRINTED-ON-IMPORT' in proc.stdout


def test_ctrl_c_during_check_is_one_line(copy03):
    slow = copy03 / '03-pipes' / 'tests' / 'test_ex03_9.py'
    slow.write_text('import time\nimport pytest\npytestmark = pytest.mark.ex03_9\n\n'
                    'def test_slow():\n    time.sleep(60)\n')
    (copy03 / '03-pipes' / 'ex03_9_slow.py').write_text('"""Exercise 03.9: slow."""\n')
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1', PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, '-m', 'teachmp', 'exercises', 'check', '03',
                             '-e', 'ex03_9'], cwd=copy03, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)     # its own group, like a terminal job
    try:
        assert proc.stdout.readline().startswith('Checking')
        time.sleep(2)      # let pytest start the test (not a timed assertion)
        os.killpg(proc.pid, signal.SIGINT)               # what Ctrl-C sends
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, err
    assert 'Traceback' not in err and 'interrupted (Ctrl-C)' in err


def test_barrier_exit_codes_are_described():
    sys.path.insert(0, str(EXERCISES / '05-synchronization' / 'tests'))
    try:
        import helpers05
    finally:
        sys.path.pop(0)
    text = helpers05.describe_exit_codes([1, 1, 1, 1])
    assert 'too early' not in text and '4 process(es) raised an exception' in text
    text = helpers05.describe_exit_codes([0, 3, 0, 1])
    assert '1 process(es) passed the barrier too early' in text
    assert '1 process(es) raised an exception' in text
