"""The exercise commands: ``exercises list|start|check`` and ``grade``.

The exercises live in ``exercises/NN-name/`` of the teachmp repository:
``starter/`` (stubs that raise ``NotImplementedError``), ``solution/``
(reference answers), ``tests/`` (pytest, one file and one marker per
exercise: ``tests/test_ex03_2.py`` is marked ``ex03_2``) and a README in
English and Japanese.

A student works in a *copy*: ``exercises start 03 DEST`` puts the chapter's
starter files next to its tests in ``DEST/03-pipes/``, together with the
shared ``conftest.py``/``pytest.ini`` and a ``.teachmp-exercises.json`` mark.
Every command first looks for that mark above the current directory: found,
it works on the copy; not found, on the repository (against ``starter/``,
or ``solution/`` with ``--solution``).

Tests always run in a separate ``python -m pytest`` process: a student's
fork that goes astray, or a test that hangs (pytest-timeout stops it), can
not take the command down with it.

``grade`` counts *tests*: ``Score: x/y`` is the number of passed tests out
of all the tests of the chosen exercises (a skipped test is not graded),
and it also says how many exercises pass completely.  It exits 0 once it has graded, whatever the
score (a teacher wants the number), 1 with ``--strict`` when a test did not
pass (what CI autograding needs), 2 when grading itself failed.  Besides the
JUnit XML (every test) it writes a JSON summary a teacher can collect
(``--json``, default ``grade-summary.json``): per exercise passed/total and
status, the totals, the score, when, on which Python, in which folder; see
``summary()``.

Only the standard library is imported here; pytest runs in the child.
"""
import ast
import datetime
import json
import os
import platform
import pathlib
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET

REPO_EXERCISES = pathlib.Path(__file__).resolve().parent.parent / "exercises"
MARK = ".teachmp-exercises.json"
SHARED_FILES = ("conftest.py", "pytest.ini")
PYTEST_TIMEOUT = 900        # seconds for a whole pytest run (tests have their own)
SUMMARY_FORMAT = 1          # "format" of the JSON summary; bumped on incompatible change


class Problem(Exception):
    """A user error: printed as one line, exit code 2."""


# -- where the exercises are ---------------------------------------------------

class Workspace:
    """The repository's exercises/ folder, or a student's copy."""

    def __init__(self, root, is_copy, impl="starter"):
        self.root = pathlib.Path(root)
        self.is_copy = is_copy
        self.impl = impl

    def chapter_dirs(self):
        return sorted(p for p in self.root.iterdir()
                      if p.is_dir() and re.match(r"\d\d-", p.name) and (p / "tests").is_dir())

    def module_dir(self, chapter_dir):
        return chapter_dir if self.is_copy else chapter_dir / self.impl

    def exercises(self, chapter_dir):
        """[(marker, number, path of the exercise file or None, title)]"""
        found = []
        for test in sorted((chapter_dir / "tests").glob("test_ex*.py"),
                           key=lambda p: _exercise_sort_key(p.stem[5:])):
            marker = test.stem[len("test_"):]
            number = marker[2:].replace("_", ".")
            # The title comes from the starter's docstring (repo) or the
            # student's file (copy), which keeps the starter's docstring.
            where = chapter_dir / "starter" if not self.is_copy else chapter_dir
            files = sorted(where.glob(marker + "_*.py"))
            path = files[0] if files else None
            found.append((marker, number, path, _title(path, number)))
        return found


def _exercise_sort_key(marker):
    return tuple(int(n) for n in re.findall(r"\d+", marker))


def _title(path, number):
    """The first docstring line, without its "Exercise NN.K:" prefix."""
    if path is None:
        return "(exercise file missing)"
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        doc = ast.get_docstring(ast.parse(text)) or ""
    except SyntaxError:
        match = re.search(r'"""(.*)', text)
        doc = match.group(1) if match else ""
    first = doc.strip().splitlines()[0] if doc.strip() else ""
    return re.sub(r"^[Ee]xercise\s+[\d.]+:\s*", "", first) or path.stem


def find_workspace(solution=False, start=None):
    here = pathlib.Path(start or os.getcwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / MARK).is_file():
            if solution:
                raise Problem("--solution: a student's copy has no solutions")
            return Workspace(folder, is_copy=True)
    if not REPO_EXERCISES.is_dir():
        raise Problem(f"no exercises here: no {MARK} above {here}, and no "
                      f"exercises/ folder next to teachmp ({REPO_EXERCISES})")
    return Workspace(REPO_EXERCISES, is_copy=False,
                     impl="solution" if solution else "starter")


def select_chapters(workspace, which):
    """Chapter folders named by '03', '3', '03-pipes' or '01,03' (all if None)."""
    chapters = workspace.chapter_dirs()
    if not which:
        return chapters
    chosen = []
    for part in str(which).split(","):
        part = part.strip()
        match = re.fullmatch(r"(\d{1,2})(-.*)?", part)
        number = f"{int(match.group(1)):02d}" if match else None
        hits = [c for c in chapters if number and c.name.startswith(number + "-")]
        if not hits:
            names = ", ".join(c.name for c in chapters) or "none"
            raise Problem(f"no chapter {part!r} (chapters: {names})")
        chosen += [h for h in hits if h not in chosen]
    return chosen


# -- running pytest -------------------------------------------------------------

def pytest_command(workspace, targets, mp="stdlib", junit=None, extra=()):
    cmd = [sys.executable, "-m", "pytest", "-c", str(workspace.root / "pytest.ini"),
           "--rootdir", str(workspace.root), "--impl", workspace.impl, "--mp", mp]
    if junit:
        cmd += ["--junitxml", str(junit), "-o", "junit_suite_name=teachmp-exercises"]
    return cmd + list(extra) + [str(t) for t in targets]


def run_pytest(cmd, cwd, capture=False):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, timeout=PYTEST_TIMEOUT,
                              capture_output=capture, text=True)
    except subprocess.TimeoutExpired:
        raise Problem(f"pytest did not finish within {PYTEST_TIMEOUT} s") from None


def parse_junit(path):
    """{marker: [(test name, outcome, message)]}, outcome passed/failed/skipped."""
    results = {}
    for case in ET.parse(path).iter("testcase"):
        where = case.get("classname", "") + "." + case.get("name", "")
        match = re.search(r"test_(ex\d+_\d+)", where)
        marker = match.group(1) if match else "(other)"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = "skipped" if child.tag == "skipped" else "failed"
                message = (child.get("message") or "").strip().splitlines()
                message = message[0] if message else child.tag
                break
        results.setdefault(marker, []).append((case.get("name", "?"), outcome, message))
    return results


# -- the commands ---------------------------------------------------------------

def cmd_list(args):
    workspace = find_workspace()
    where = "your copy" if workspace.is_copy else "the teachmp repository"
    print(f"Exercises in {where} ({workspace.root})")
    for chapter in select_chapters(workspace, None):
        print(f"\n{chapter.name}")
        for marker, number, path, title in workspace.exercises(chapter):
            file = path.name if path else "?"
            print(f"  {number:<5} {marker:<7} {file:<26} {title}")
    print("\nCheck one chapter: python -m teachmp exercises check NN")
    return 0


def repo_workspace():
    """The repository's exercises, wherever the command runs (start, export)."""
    if not REPO_EXERCISES.is_dir():
        raise Problem(f"no exercises/ folder next to teachmp ({REPO_EXERCISES}): "
                      "run this from the teachmp repository")
    return Workspace(REPO_EXERCISES, is_copy=False)


def cmd_start(args):
    from teachmp import classroom
    workspace = repo_workspace()
    chapters = select_chapters(workspace, args.chapter)
    dest = pathlib.Path(args.dest)
    classroom.make_copy(workspace, chapters, dest, force=args.force)
    print(f"Copied {', '.join(c.name for c in chapters)} to {dest}")
    print(f"Next: cd {dest} && python -m teachmp exercises check {args.chapter}")
    return 0


def cmd_check(args):
    workspace = find_workspace(solution=args.solution)
    chapters = select_chapters(workspace, args.chapter)
    targets = [c / "tests" for c in chapters]
    extra = ["-m", args.exercise] if args.exercise else []
    extra += ["-k", args.k] if args.k else []
    extra += ["-x"] if args.exitfirst else []
    more = shlex.split(args.pytest)
    what = "your copy" if workspace.is_copy else workspace.impl + "/"
    print(f"Checking {', '.join(c.name for c in chapters)} ({what})", flush=True)
    result = run_pytest(pytest_command(workspace, targets, mp=args.mp,
                                       extra=extra + more),
                        cwd=workspace.root)
    return result.returncode


def _marker_of(text):
    """'03.2', '3.2' or 'ex03_2' -> 'ex03_2'; anything else -> None."""
    match = re.fullmatch(r"(?:ex)?(\d{1,2})[._](\d+)", text.strip())
    return f"ex{int(match.group(1)):02d}_{match.group(2)}" if match else None


def summary(workspace, chapters, rows, *, mp, junit, strict, exit_code, error=None):
    """The JSON summary of one ``grade`` run (a dict, written by ``write_summary``).

    ``rows`` are ``(marker, number, title, passed, total, status)``, status
    ``done`` (every graded test passed), ``partly``, ``todo`` (none passed).
    ``score`` counts tests, like ``Score: x/y``; ``exercises`` counts the
    exercises done.  ``error`` is set (and the counts are zero) when
    grading itself failed.
    """
    passed = sum(r[3] for r in rows)
    total = sum(r[4] for r in rows)
    done = sum(1 for r in rows if r[5] == "done")
    chapter_of = {}
    for chapter in chapters:
        for mk, *_ in workspace.exercises(chapter):
            chapter_of[mk] = chapter.name
    github = {key: os.environ[env] for key, env in (
        ("repository", "GITHUB_REPOSITORY"), ("actor", "GITHUB_ACTOR"),
        ("sha", "GITHUB_SHA"), ("run_id", "GITHUB_RUN_ID")) if os.environ.get(env)}
    return {
        "format": SUMMARY_FORMAT,
        "tool": "python -m teachmp grade",
        "timestamp": datetime.datetime.now(datetime.timezone.utc)
                             .isoformat(timespec="seconds"),
        "student_dir": str(workspace.root),
        "workspace": "copy" if workspace.is_copy else "repository:" + workspace.impl,
        "chapters": [c.name for c in chapters],
        "multiprocessing": mp,
        "python": {"version": platform.python_version(),
                   "implementation": platform.python_implementation(),
                   "executable": sys.executable},
        "platform": sys.platform,
        "github": github or None,
        "exercises": [{"marker": mk, "number": number, "chapter": chapter_of.get(mk),
                       "title": title, "passed": ok, "total": n, "status": status}
                      for mk, number, title, ok, n, status in rows],
        "totals": {"tests_passed": passed, "tests_total": total,
                   "exercises_done": done, "exercises_total": len(rows)},
        "score": {"passed": passed, "total": total,
                  "percent": round(100.0 * passed / total, 1) if total else 0.0},
        "strict": strict,
        "exit_code": exit_code,
        "junit_xml": str(junit),
        "error": error,
    }


def write_summary(path, data):
    """Write ``data`` as JSON atomically (a teacher's collector never sees half a file)."""
    path = pathlib.Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def cmd_grade(args):
    workspace = find_workspace(solution=args.solution)
    marker = _marker_of(args.which) if args.which else None
    chapter_arg = marker[2:4] if marker else args.which
    chapters = select_chapters(workspace, chapter_arg)
    expected = {}
    for chapter in chapters:
        for mk, number, path, title in workspace.exercises(chapter):
            if marker in (None, mk):
                expected[mk] = (number, title)
    if not expected:
        raise Problem(f"no exercise {args.which!r}")
    junit = pathlib.Path(args.junit).resolve()
    junit.unlink(missing_ok=True)
    json_path = pathlib.Path(args.json).resolve()
    json_path.unlink(missing_ok=True)

    def report(rows, exit_code, error=None):
        write_summary(json_path, summary(workspace, chapters, rows, mp=args.mp, junit=junit,
                                         strict=args.strict, exit_code=exit_code,
                                         error=error))

    extra = ["-q", "--tb=short", "-p", "no:warnings"] + (["-m", marker] if marker else [])
    result = run_pytest(pytest_command(workspace, [c / "tests" for c in chapters],
                                       mp=args.mp, junit=junit, extra=extra),
                        cwd=workspace.root, capture=not args.verbose)
    if result.returncode not in (0, 1) or not junit.is_file():
        if not args.verbose:
            sys.stdout.write(result.stdout[-4000:])
            sys.stderr.write(result.stderr[-4000:])
        print(f"grading failed: pytest exited with {result.returncode}", file=sys.stderr)
        report([(mk, number, title, 0, 0, "error") for mk, (number, title) in expected.items()],
               2, error=f"pytest exited with {result.returncode}")
        print(f"JSON summary: {json_path}", file=sys.stderr)
        return 2
    results = parse_junit(junit)
    passed = total = complete = 0
    rows = []
    print(f"Grading {'your copy' if workspace.is_copy else workspace.impl + '/'}"
          f" ({', '.join(c.name for c in chapters)})")
    for mk, (number, title) in expected.items():
        # A skipped test (say, not possible on this platform) is not graded.
        cases = [c for c in results.get(mk, []) if c[1] != "skipped"]
        ok = sum(1 for _, outcome, _ in cases if outcome == "passed")
        passed, total = passed + ok, total + len(cases)
        done = bool(cases) and ok == len(cases)
        complete += done
        status = "done" if done else ("todo" if ok == 0 else "partly")
        rows.append((mk, number, title, ok, len(cases), status))
        print(f"  {number:<5} {mk:<7} {ok:>3}/{len(cases):<3} {status:<6} {title}")
        if not done and args.details:
            for name, outcome, message in cases:
                if outcome != "passed":
                    print(f"          {outcome}: {name}: {message[:100]}")
    exit_code = 1 if args.strict and (passed < total or total == 0) else 0
    report(rows, exit_code)
    print(f"Exercises complete: {complete}/{len(expected)}")
    print(f"JUnit XML: {junit}")
    print(f"JSON summary: {json_path}")
    print(f"Score: {passed}/{total}")
    return exit_code


def _safe(func):
    def run(args):
        try:
            return func(args)
        except Problem as exc:
            print(f"teachmp: {exc}", file=sys.stderr)
            return 2
        except BrokenPipeError:         # e.g. piped into `head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    return run


def add_commands(subparsers):
    """Register ``exercises``, ``grade`` and ``classroom`` on an argparse parser."""
    ex = subparsers.add_parser(
        "exercises", help="list, start and check the exercises",
        description="Work on the exercises: list them, copy a chapter's starter "
                    "files to your own folder, and check your answers.")
    actions = ex.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("list", help="chapters, exercises and their markers")
    p.set_defaults(func=_safe(cmd_list))
    p = actions.add_parser("start", help="copy a chapter's starter files and tests to DEST")
    p.add_argument("chapter", metavar="NN", help="chapter number, e.g. 03 (or 01,03)")
    p.add_argument("dest", metavar="DEST", help="your working folder")
    p.add_argument("--force", action="store_true", help="overwrite files already in DEST")
    p.set_defaults(func=_safe(cmd_start))
    p = actions.add_parser("check", help="run a chapter's tests on your code")
    p.add_argument("chapter", metavar="NN", help="chapter number, e.g. 03")
    _common_options(p)
    p.add_argument("-e", "--exercise", metavar="MARKER",
                   help="only one exercise, by marker (e.g. ex03_2)")
    p.add_argument("-k", metavar="EXPR", help="only tests whose name matches (pytest -k)")
    p.add_argument("-x", "--exitfirst", action="store_true", help="stop at the first failure")
    p.add_argument("--pytest", metavar="ARGS", default="",
                   help='more pytest options in one string, e.g. --pytest="-q --tb=line"')
    p.set_defaults(func=_safe(cmd_check))

    g = subparsers.add_parser(
        "grade", help="grade the exercises: prints 'Score: x/y' (passed tests)",
        description="Run the exercise tests and print per-exercise results and "
                    "'Score: x/y', x passed tests out of y.  Exit 0 once graded "
                    "(1 with --strict if a test did not pass, 2 if grading failed).")
    g.add_argument("which", nargs="?", metavar="NN",
                   help="a chapter (03, or 01,03) or one exercise (03.2); default all")
    _common_options(g)
    g.add_argument("--junit", default="grade-junit.xml",
                   help="where to write the JUnit XML (default grade-junit.xml)")
    g.add_argument("--json", default="grade-summary.json", metavar="FILE",
                   help="where to write the JSON summary for the teacher "
                        "(default grade-summary.json)")
    g.add_argument("--strict", action="store_true",
                   help="exit 1 unless every test passes (for CI autograding)")
    g.add_argument("--details", action="store_true", help="list the tests that did not pass")
    g.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output")
    g.set_defaults(func=_safe(cmd_grade))

    from teachmp import classroom
    classroom.add_commands(subparsers, _safe)


def _common_options(parser):
    parser.add_argument("--solution", action="store_true",
                        help="in the repository: test the reference solutions")
    parser.add_argument("--mp", choices=["stdlib", "teachmp"], default="stdlib",
                        help="what 'import multiprocessing' gives (default stdlib)")
