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
import json
import os
import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from teachmp_course import grading, workspace

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
REPO = workspace.Workspace(EXERCISES, is_copy=False)
CHAPTERS = REPO.chapter_dirs()
ALL = [pytest.param(chapter.name, marker, id=marker)
       for chapter in CHAPTERS for marker, *_ in REPO.exercises(chapter)]
SOLUTION_TEXTS = {p.read_bytes() for p in EXERCISES.glob("*/solution/*.py")}

_runs = {}


def chapter_run(chapter, impl, mp, tmp_path_factory):
    """Run one chapter's tests once per (impl, mp); {marker: [(name, outcome, msg)]}."""
    key = (chapter, impl, mp)
    if key not in _runs:
        junit = tmp_path_factory.mktemp("junit") / "results.xml"
        where = workspace.Workspace(EXERCISES, is_copy=False, impl=impl)
        cmd = grading.pytest_command(where, [EXERCISES / chapter / "tests"], mp=mp,
                                     junit=junit, extra=["-q", "-p", "no:warnings"])
        proc = grading.run_pytest(cmd, cwd=EXERCISES, capture=True)
        assert junit.is_file(), f"pytest wrote no JUnit XML:\n{proc.stdout[-3000:]}"
        _runs[key] = (proc, grading.parse_junit(junit))
    return _runs[key]


def cli(*args, cwd, timeout=180):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "teachmp", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def score(output):
    last = output.strip().splitlines()[-1]
    match = re.fullmatch(r"Score: (\d+)/(\d+)", last)
    assert match, f"last line is not 'Score: x/y': {last!r}"
    return int(match.group(1)), int(match.group(2))


# -- both ways ----------------------------------------------------------------

@pytest.mark.timeout(300)
@pytest.mark.parametrize("chapter, marker", ALL)
def test_solution_passes(chapter, marker, tmp_path_factory):
    proc, results = chapter_run(chapter, "solution", "stdlib", tmp_path_factory)
    cases = results.get(marker, [])
    assert cases, f"no test of {marker} ran:\n{proc.stdout[-3000:]}"
    bad = [(name, msg) for name, outcome, msg in cases if outcome != "passed"]
    assert not bad, f"{marker} fails on its solution: {bad}\n{proc.stdout[-3000:]}"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("chapter, marker", ALL)
def test_solution_passes_on_teachmp(chapter, marker, tmp_path_factory):
    proc, results = chapter_run(chapter, "solution", "teachmp", tmp_path_factory)
    bad = [(name, msg) for name, outcome, msg in results.get(marker, []) if outcome != "passed"]
    assert results.get(marker) and not bad, \
        f"{marker} (solution, multiprocessing = teachmp): {bad}\n{proc.stdout[-3000:]}"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("chapter, marker", ALL)
def test_starter_fails_every_test(chapter, marker, tmp_path_factory):
    _, solved = chapter_run(chapter, "solution", "stdlib", tmp_path_factory)
    proc, results = chapter_run(chapter, "starter", "stdlib", tmp_path_factory)
    cases = results.get(marker, [])
    assert len(cases) == len(solved.get(marker, [])), "not the same tests collected"
    passing = [name for name, outcome, _ in cases if outcome == "passed"]
    assert not passing, f"these {marker} tests pass on the untouched starter: {passing}"


# -- the files follow the pattern ----------------------------------------------

def functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: ast.get_docstring(node) for node in tree.body
            if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("chapter, marker", ALL)
def test_layout_and_uniform_stubs(chapter, marker):
    folder = EXERCISES / chapter
    for readme in ("README.md", "README.ja.md"):
        text = (folder / readme).read_text(encoding="utf-8")
        assert marker in text, f"{readme} of {chapter} does not mention {marker}"
    (starter,) = (folder / "starter").glob(marker + "_*.py")
    solution = folder / "solution" / starter.name
    assert solution.is_file()
    test_file = folder / "tests" / f"test_{marker}.py"
    assert f"pytest.mark.{marker}" in test_file.read_text(encoding="utf-8")
    stubs, answers = functions(starter), functions(solution)
    assert stubs == answers, "starter and solution differ in functions or docstrings"
    number = marker[2:].replace("_", ".")
    text = starter.read_text(encoding="utf-8")
    for name in stubs:
        assert f'raise NotImplementedError("exercise {number}: {name}()")' in text


# -- the commands -----------------------------------------------------------------

def test_exercises_list(tmp_path):
    proc = cli("exercises", "list", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for param in ALL:
        chapter, marker = param.values
        assert chapter in proc.stdout and marker in proc.stdout


def test_start_makes_a_checkable_copy_without_solutions(tmp_path):
    dest = tmp_path / "work"
    proc = cli("exercises", "start", "01", str(dest), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = [p for p in dest.rglob("*") if p.is_file()]
    assert not [p for p in files if "solution" in p.relative_to(dest).parts]
    assert not [p for p in files if p.read_bytes() in SOLUTION_TEXTS]
    chapter = dest / "01-processes"
    assert {"README.md", "README.ja.md", "ex01_1_fan_out.py", "ex01_2_popen.py"} <= \
        {p.name for p in chapter.iterdir()}

    proc = cli("exercises", "check", "01", cwd=dest)       # untouched: fails
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "NotImplementedError" in proc.stdout

    # A second start must not overwrite the student's work.
    (chapter / "ex01_1_fan_out.py").write_text("# my work\n")
    proc = cli("exercises", "start", "01", str(dest), cwd=tmp_path)
    assert proc.returncode == 2 and "already exists" in proc.stderr
    assert (chapter / "ex01_1_fan_out.py").read_text() == "# my work\n"

    # The student solves 01.2: grade counts it, --strict still fails on 01.1.
    solution = EXERCISES / "01-processes" / "solution" / "ex01_2_popen.py"
    (chapter / "ex01_2_popen.py").write_bytes(solution.read_bytes())
    proc = cli("grade", "--strict", "--details", cwd=dest)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    passed, total = score(proc.stdout)
    assert 0 < passed < total
    assert re.search(r"01\.2\s+ex01_2\s+(\d+)/\1\s+done", proc.stdout)
    assert (dest / "grade-junit.xml").is_file()
    summary = json.loads((dest / "grade-summary.json").read_text(encoding="utf-8"))
    assert summary["workspace"] == "copy" and summary["exit_code"] == 1
    assert [e["status"] for e in summary["exercises"]] == ["todo", "done"]


def test_grade_in_the_repository(tmp_path):
    junit = tmp_path / "out.xml"
    proc = cli("grade", "02", "--junit", str(junit), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr     # graded, score 0
    passed, total = score(proc.stdout)
    assert passed == 0 and total > 0
    for marker in ("ex02_1", "ex02_2"):
        assert re.search(rf"{marker}\s+0/\d+\s+todo", proc.stdout)
    suite = ET.parse(junit).getroot()
    cases = list(suite.iter("testcase"))
    assert len(cases) == total
    assert not list(tmp_path.glob("grade-junit.xml"))
    summary = json.loads((tmp_path / "grade-summary.json").read_text(encoding="utf-8"))
    assert summary["workspace"] == "repository:starter"
    assert summary["score"] == {"passed": 0, "total": total, "percent": 0.0}
    assert [(e["marker"], e["status"]) for e in summary["exercises"]] == \
        [("ex02_1", "todo"), ("ex02_2", "todo")]

    summary_file = tmp_path / "sub" / "one.json"
    summary_file.parent.mkdir()
    proc = cli("grade", "02.1", "--solution", "--strict", "--junit", str(junit),
               "--json", str(summary_file), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    passed, total = score(proc.stdout)
    assert passed == total > 0
    assert "ex02_2" not in proc.stdout
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    assert summary["workspace"] == "repository:solution" and summary["exit_code"] == 0
    assert [(e["marker"], e["status"], e["passed"]) for e in summary["exercises"]] == \
        [("ex02_1", "done", total)]

    proc = cli("grade", "02.1", "--strict", "--junit", str(junit), cwd=tmp_path)
    assert proc.returncode == 1


def test_unknown_chapter_is_a_clear_error(tmp_path):
    proc = cli("exercises", "check", "42", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no chapter '42'" in proc.stderr
