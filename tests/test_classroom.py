"""The classroom kit: ``classroom export`` and ``grade`` in the exported repository.

Chapters 01 and 03 (small and quick to grade) are exported into a fresh
folder.  The export must hold no solution code: no file of a ``solution/``
folder, no file equal to a solution, and none of the solutions' own function
bodies (compared as syntax trees and as whitespace-normalised text, so a
reformatted copy is caught too).  Then the export grades itself with its own
copy of teachmp and nothing on ``PYTHONPATH``: ``grade --strict`` fails with
score 0 on the untouched starters, and passes with the full score once the
solution files are copied over the starters; each run writes JUnit XML and a
JSON summary, both checked.
"""
import ast
import datetime
import importlib.metadata
import json
import os
import pathlib
import platform
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXERCISES = ROOT / 'exercises'
CHAPTERS = ('01-processes', '03-pipes')
MARKERS = ['ex01_1', 'ex01_2', 'ex03_1', 'ex03_2']


def cli(*args, cwd, pythonpath=True, timeout=180):
    """``python -m teachmp ARGS``: the repository's teachmp, or (pythonpath=False)
    whatever ``cwd`` provides (the export's own copy)."""
    env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    if pythonpath:
        env['PYTHONPATH'] = str(ROOT)
    return subprocess.run([sys.executable, '-m', 'teachmp', *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def installed_version(name):
    """The version of ``name`` in the project's .venv (what the export pins), or,
    without a .venv, in this Python."""
    venv = [str(p) for p in ROOT.glob('.venv/lib/python*/site-packages')]
    found = list(importlib.metadata.distributions(name=name, path=venv)) if venv else []
    return found[0].version if found else importlib.metadata.version(name)


def score(output):
    last = output.strip().splitlines()[-1]
    match = re.fullmatch(r'Score: (\d+)/(\d+)', last)
    assert match, f"last line is not 'Score: x/y': {last!r}"
    return int(match.group(1)), int(match.group(2))


# -- what counts as solution code -------------------------------------------------

def _function_bodies(path):
    """{unparsed body without docstring: normalised source text} of every function."""
    text = path.read_text(encoding='utf-8')
    found = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(
                    getattr(body[0], 'value', None), ast.Constant) and isinstance(
                    body[0].value.value, str):
                body = body[1:]
            if not body:
                continue
            lines = text.splitlines()[body[0].lineno - 1:body[-1].end_lineno]
            source = ' '.join(textwrap.dedent('\n'.join(lines)).split())
            found[ast.unparse(ast.Module(body=body, type_ignores=[]))] = source
    return found


def distinctive_solution_bodies():
    """Function bodies of the solutions that the starters do not have, that the
    teachmp library itself does not have (it is the course's subject, shipped
    in the export so that ``grade`` works: exercise 05.1's ``get_value`` is
    two lines of ``teachmp.synchronize``), and that are not trivially short:
    {unparsed body: normalised source text}."""
    public = {}
    for module in (ROOT / 'teachmp').rglob('*.py'):
        public.update(_function_bodies(module))
    bodies = {}
    for solution in sorted(EXERCISES.glob('*/solution/*.py')):
        starter = solution.parent.parent / 'starter' / solution.name
        shared = _function_bodies(starter) if starter.is_file() else {}
        for tree, source in _function_bodies(solution).items():
            if tree not in shared and tree not in public and len(source) >= 40:
                bodies[tree] = source
    return bodies


def leaks(dest, bodies):
    """Solution code found in ``dest``: [(file, what)]."""
    solution_bytes = {p.read_bytes() for p in EXERCISES.glob('*/solution/*.py')}
    found = []
    for path in sorted(p for p in dest.rglob('*') if p.is_file()):
        rel = path.relative_to(dest)
        if 'solution' in rel.parts:
            found.append((rel, 'in a solution folder'))
        data = path.read_bytes()
        if data in solution_bytes:
            found.append((rel, 'a solution file'))
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError:
            continue
        flat = ' '.join(text.split())
        found += [(rel, 'solution text: ' + source[:60])
                  for source in bodies.values() if source in flat]
        if path.suffix == '.py':
            try:
                trees = _function_bodies(path)
            except SyntaxError:
                continue
            found += [(rel, 'solution function: ' + bodies[tree][:60])
                      for tree in trees if tree in bodies]
    return found


# -- the reports ----------------------------------------------------------------------

def check_reports(dest, proc, *, passed, total, status, exit_code, points):
    """grade-junit.xml and grade-summary.json in ``dest`` agree with the printed score."""
    junit = ET.parse(dest / 'grade-junit.xml').getroot()
    cases = list(junit.iter('testcase'))
    assert len(cases) == total
    failed = [c for c in cases if c.find('failure') is not None or c.find('error') is not None]
    assert len(failed) == total - passed

    summary = json.loads((dest / 'grade-summary.json').read_text(encoding='utf-8'))
    assert summary['format'] == 2 and summary['error'] is None
    assert pathlib.Path(summary['student_dir']).resolve() == dest.resolve()
    assert summary['workspace'] == 'copy'
    assert summary['chapters'] == list(CHAPTERS)
    assert summary['python']['version'] == platform.python_version()
    stamp = datetime.datetime.fromisoformat(summary['timestamp'])
    age = datetime.datetime.now(datetime.timezone.utc) - stamp
    assert datetime.timedelta(0) <= age < datetime.timedelta(minutes=10), summary['timestamp']
    assert [e['marker'] for e in summary['exercises']] == MARKERS
    assert {e['status'] for e in summary['exercises']} == {status}
    assert all(e['total'] > 0 for e in summary['exercises'])
    assert sum(e['total'] for e in summary['exercises']) == total
    assert sum(e['passed'] for e in summary['exercises']) == passed
    assert summary['totals'] == {
        'tests_passed': passed, 'tests_total': total,
        'exercises_done': len(MARKERS) if status == 'done' else 0,
        'exercises_total': len(MARKERS)}
    assert score(proc.stdout) == points
    assert (summary['score']['points'], summary['score']['max_points']) == points
    assert summary['score']['percent'] == (100.0 if passed == total else 0.0)
    assert [e['points'] for e in summary['exercises']] == \
        [e['max_points'] if e['status'] == 'done' else 0 for e in summary['exercises']]
    assert summary['strict'] is True and summary['exit_code'] == exit_code == proc.returncode
    assert pathlib.Path(summary['junit_xml']).resolve() == (dest / 'grade-junit.xml').resolve()


def workflow_steps(text):
    """The workflow's steps: parsed by PyYAML when installed, else read with a
    small parser that knows only this workflow's flat layout."""
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        return yaml.safe_load(text)['jobs']['run-autograding-tests']['steps']
    steps = []
    for line in text.splitlines():
        match = re.fullmatch(r'      (- |  )([\w-]+): ?(.*)', line)
        if match:
            if match.group(1) == '- ':
                steps.append({})
            value = match.group(3).strip("'")
            steps[-1][match.group(2)] = value if value or match.group(2) != 'with' else {}
            continue
        match = re.fullmatch(r'          ([\w-]+): ?(.*)', line)
        if match and steps:
            steps[-1].setdefault('with', {})[match.group(1)] = match.group(2).strip("'")
    return steps


# -- the test -------------------------------------------------------------------------

@pytest.mark.timeout(240)
def test_export_has_no_solution_and_grades_both_ways(tmp_path):
    dest = tmp_path / 'assignment'
    proc = cli('classroom', 'export', '01,03', str(dest), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr

    # What a student gets.
    assert sorted(p.name for p in dest.iterdir() if p.is_dir() and p.name[:2].isdigit()) \
        == list(CHAPTERS)
    for chapter in CHAPTERS:
        for name in ('README.md', 'README.ja.md'):
            assert (dest / chapter / name).is_file()
    assert (dest / 'README.md').is_file() and (dest / 'README.ja.md').is_file()
    assert (dest / 'teachmp_course' / 'grading.py').is_file()
    assert (dest / 'teachmp' / 'queues.py').is_file()
    assert not (dest / 'teachmp_course' / 'exercises').exists()
    assert 'grade-summary*.json' in (dest / '.gitignore').read_text().split()
    requirements = [line for line in (dest / 'requirements.txt').read_text().splitlines()
                    if line and not line.startswith('#')]
    assert requirements == [f'{name}=={installed_version(name)}'
                            for name in ('pytest', 'pytest-timeout')]

    # No solution code, by any measure.
    bodies = distinctive_solution_bodies()
    assert len(bodies) >= 10, 'too few solution bodies to look for'
    found = leaks(dest, bodies)
    assert not found, f'solution code in the export: {found}'

    # The workflow: one step per exercise, with points and a timeout.
    flow_text = (dest / '.github' / 'workflows' / 'classroom.yml').read_text()
    assert re.findall(r'python -m teachmp grade (\d\d\.\d+) --strict', flow_text) \
        == ['01.1', '01.2', '03.1', '03.2']
    assert 'runners: ex01-1,ex01-2,ex03-1,ex03-2' in flow_text
    steps = workflow_steps(flow_text)
    graders = [s for s in steps if 'autograding-command-grader' in s.get('uses', '')]
    assert [s['id'] for s in graders] == ['ex01-1', 'ex01-2', 'ex03-1', 'ex03-2']
    for step in graders:
        assert int(step['with']['max-score']) > 0
        assert 0 < int(step['with']['timeout']) <= 60          # minutes
    assert any('requirements.txt' in s.get('run', '') for s in steps)

    # The README is written for these chapters, with three lines for students.
    readme = (dest / 'README.md').read_text(encoding='utf-8')
    assert '01-processes, 03-pipes' in readme
    assert '-m pytest -m ex01_1' in readme
    assert 'Push your commits' in readme and '10 points when all its tests pass' in readme
    assert '**Actions** tab' in readme
    assert 'push' in (dest / 'README.ja.md').read_text(encoding='utf-8')

    # Untouched starters: graded, score 0, --strict fails.
    proc = cli('grade', '--strict', cwd=dest, pythonpath=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    total = json.loads((dest / 'grade-summary.json').read_text())['totals']['tests_total']
    check_reports(dest, proc, passed=0, total=total, status='todo', exit_code=1,
                  points=(0, 40))

    # Score parity: half solved, one exercise re-weighted by the teacher in the
    # workflow; the sum of the points of the workflow steps that pass (each
    # step run as GitHub Classroom runs it) is the local score.
    flow = dest / '.github' / 'workflows' / 'classroom.yml'
    flow.write_text(re.sub(r'(test-name: exercise 03\.2 \(ex03_2\)\n(?:.*\n)*?'
                           r'          max-score: )10', r'\g<1>25', flow.read_text()))
    weights = {s['id']: int(s['with']['max-score']) for s in workflow_steps(flow.read_text())
               if 'max-score' in s.get('with', {})}
    assert weights == {'ex01-1': 10, 'ex01-2': 10, 'ex03-1': 10, 'ex03-2': 25}
    for chapter, name in (('01-processes', 'ex01_2_popen.py'), ('03-pipes', 'ex03_2_frame.py')):
        shutil.copyfile(EXERCISES / chapter / 'solution' / name, dest / chapter / name)
    proc = cli('grade', cwd=dest, pythonpath=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    local = score(proc.stdout)
    earned = 0
    for step in graders:
        command = shlex.split(step['with']['command'])
        assert command[:3] == ['python', '-m', 'teachmp']
        run = cli(*command[3:], cwd=dest, pythonpath=False)
        assert run.returncode in (0, 1), run.stdout + run.stderr
        earned += weights[step['id']] if run.returncode == 0 else 0
    assert local == (earned, sum(weights.values())) == (35, 55)

    # The solutions copied over the starters: full score.  (And the leak
    # check above does see them now: it is not blind.)
    copied = set()
    for chapter in CHAPTERS:
        for solution in (EXERCISES / chapter / 'solution').glob('*.py'):
            assert (dest / chapter / solution.name).is_file(), solution.name
            shutil.copyfile(solution, dest / chapter / solution.name)
            copied.add(pathlib.Path(chapter, solution.name))
    assert len(copied) == len(MARKERS)
    seen = {rel for rel, what in leaks(dest, bodies) if what.startswith('solution function')}
    assert seen == copied, 'the leak check misses solution code'
    proc = cli('grade', '--strict', cwd=dest, pythonpath=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    check_reports(dest, proc, passed=total, total=total, status='done', exit_code=0,
                  points=(55, 55))
    step = json.loads((dest / 'grade-summary-ex03_1.json').read_text(encoding='utf-8'))
    assert [e['marker'] for e in step['exercises']] == ['ex03_1']
    assert ET.parse(dest / 'grade-junit-ex03_1.xml').getroot() is not None


def test_readme_is_written_for_the_chapter(tmp_path):
    """Exports and copies of another chapter: its markers, no requirements.txt in a copy."""
    proc = cli('classroom', 'export', '05', str(tmp_path / 'exp'), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / 'exp' / 'README.md').read_text(encoding='utf-8')
    assert '-m pytest -m ex05_1' in text and 'ex03' not in text
    assert 'requirements.txt' in text and (tmp_path / 'exp' / 'requirements.txt').is_file()
    proc = cli('exercises', 'start', '08', str(tmp_path / 'copy'), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ('README.md', 'README.ja.md'):
        text = (tmp_path / 'copy' / name).read_text(encoding='utf-8')
        assert 'requirements.txt' not in text and 'ex03' not in text
        assert '-m pytest -m ex08_1' in text and 'exercises check 08' in text
        assert f"cd {tmp_path / 'copy'}" in text


def test_export_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / 'dest').mkdir()
    (tmp_path / 'dest' / 'mine.txt').write_text('keep me\n')
    proc = cli('classroom', 'export', '01', str(tmp_path / 'dest'), cwd=tmp_path)
    assert proc.returncode == 2 and 'not empty' in proc.stderr
    assert [p.name for p in (tmp_path / 'dest').iterdir()] == ['mine.txt']
