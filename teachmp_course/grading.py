"""``exercises check`` and ``grade``: run an exercise's tests and report.

Tests always run in a separate ``python -m pytest`` process: a student's
fork that goes astray, or a test that hangs (pytest-timeout stops it), can
not take the command down with it.

``grade`` counts *tests*: ``Score: x/y`` is the number of passed tests out
of all the tests of the chosen exercises (a skipped test is not graded),
and it also says how many exercises pass completely.  It exits 0 once it
has graded, whatever the score (a teacher wants the number), 1 with
``--strict`` when a test did not pass (what CI autograding needs), 2 when
grading itself failed.  Besides the JUnit XML (every test) it writes a JSON
summary a teacher can collect (``--json``, default ``grade-summary.json``):
per exercise passed/total and status, the totals, the score, when, on which
Python, in which folder; see ``summary()``.

Only the standard library is imported here; pytest runs in the child.
"""
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

from teachmp_course.workspace import Problem, find_workspace, marker_of, select_chapters

PYTEST_TIMEOUT = 900        # seconds for a whole pytest run (tests have their own)
SUMMARY_FORMAT = 1          # "format" of the JSON summary; bumped on incompatible change


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
    marker = marker_of(args.which) if args.which else None
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


