"""``exercises check`` and ``grade``: run an exercise's tests and report.

Tests always run in a separate ``python -m pytest`` process: a student's
fork that goes astray, or a test that hangs (pytest-timeout stops it), can
not take the command down with it.

``grade`` gives *points*, by one rule shared with the autograding workflow
that ``classroom export`` writes: each exercise is worth ``POINTS`` (or what
the export's workflow gives it as ``max-score``), awarded when every graded
test of the exercise passes (a skipped test is not graded), else nothing.
``Score: x/y`` is in points; the tests passed are shown as progress.  It
exits 0 once it has graded, whatever the score (a teacher wants the number),
1 with ``--strict`` when a test did not pass (what CI autograding needs), 2
when grading itself failed.  Besides the JUnit XML (every test) it writes a
JSON summary a teacher can collect (``--json``, default
``grade-summary.json``): per exercise tests passed/total, status and points,
the totals, the score, when, on which Python, in which folder; see
``summary()``.

``exercises check`` prints the same table, short: per exercise one line
saying what to do next (``not started yet: open ex03_1_pool.py``, a syntax
error, or the first failure with a child process's error before the
parent's symptom); ``--full`` (or ``-s``) shows pytest's own output instead.

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
import tempfile
import xml.etree.ElementTree as ET

from teachmp_course.workspace import Problem, find_workspace, marker_of, select_chapters

PYTEST_TIMEOUT = 900        # seconds for a whole pytest run (tests have their own)
SUMMARY_FORMAT = 2          # "format" of the JSON summary; bumped on incompatible change
POINTS = 10                 # per exercise, unless the export's workflow says otherwise
STEP_TIMEOUT = 5            # minutes per exercise step in the exported workflow
WORKFLOW = '.github/workflows/classroom.yml'
SCORING_RULE = ('each exercise is worth its points (10 unless the teacher changed '
                'them), given when all of its tests pass')


# -- running pytest -------------------------------------------------------------

def pytest_command(workspace, targets, mp='stdlib', junit=None, extra=()):
    cmd = [sys.executable, '-m', 'pytest', '-c', str(workspace.root / 'pytest.ini'),
           '--rootdir', str(workspace.root), '--impl', workspace.impl, '--mp', mp]
    if junit:
        # junit_logging: the captured stderr goes into the XML too, where a
        # child process's traceback (the real cause) is found.
        cmd += ['--junitxml', str(junit), '-o', 'junit_suite_name=teachmp-exercises',
                '-o', 'junit_logging=system-err']
    return cmd + list(extra) + [str(t) for t in targets]


def run_pytest(cmd, cwd, capture=False):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, timeout=PYTEST_TIMEOUT,
                              capture_output=capture, text=True)
    except subprocess.TimeoutExpired:
        raise Problem(f'pytest did not finish within {PYTEST_TIMEOUT} s') from None


class Case(tuple):
    """One test's result: (name, outcome, message); ``.child_error`` is the
    last exception line of a child process's traceback in its stderr."""
    child_error = ''


_EXCEPTION_LINE = re.compile(r'^((?:[A-Za-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception|Interrupt|Exit)'
                             r'|NotImplementedError)(?::\s.*)?$')


def _child_error(stderr):
    """The exception a child process died of, from captured stderr (or '')."""
    found = ''
    lines = (stderr or '').splitlines()
    for i, line in enumerate(lines):
        if line.startswith('Traceback (most recent call last):'):
            for later in lines[i + 1:]:
                if _EXCEPTION_LINE.match(later.strip()) and not later.startswith(' '):
                    found = found or later.strip()
                    break
    return found


def _clean(message):
    """The first line of a failure message, without pytest's wrapping."""
    match = re.fullmatch(r'failed on (?:setup|teardown) with "(.*?)"?', message, re.S)
    if match:
        message = match.group(1)
    message = re.sub(r'^Failed: ', '', message.strip())
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[0].strip() if lines else ''


def parse_junit(path):
    """{marker: [Case(test name, outcome, message)]}, outcome passed/failed/skipped."""
    results = {}
    for case in ET.parse(path).iter('testcase'):
        where = case.get('classname', '') + '.' + case.get('name', '')
        match = re.search(r'test_(ex\d+_\d+)', where)
        marker = match.group(1) if match else '(other)'
        outcome, message, stderr = 'passed', '', ''
        for child in case:
            if child.tag in ('failure', 'error', 'skipped') and outcome == 'passed':
                outcome = 'skipped' if child.tag == 'skipped' else 'failed'
                message = _clean((child.get('message') or '').strip()) or child.tag
            elif child.tag == 'system-err':
                stderr += child.text or ''
        result = Case((case.get('name', '?'), outcome, message))
        result.child_error = _child_error(stderr) if outcome == 'failed' else ''
        results.setdefault(marker, []).append(result)
    return results


# -- what the results say -----------------------------------------------------

def workflow_points(workspace):
    """{marker: points} from the export's autograding workflow, if there is one.

    The teacher changes an exercise's points by editing its ``max-score`` in
    ``.github/workflows/classroom.yml``; ``grade`` reads them from there, so
    that the local score and GitHub Classroom's always agree.
    """
    flow = workspace.root / WORKFLOW if workspace.is_copy else None
    if flow is None or not flow.is_file():
        return {}
    points, marker = {}, None
    for line in flow.read_text(encoding='utf-8').splitlines():
        match = re.search(r'command: .*-m teachmp grade (\S+)', line)
        if match:
            marker = marker_of(match.group(1))
        match = re.search(r'max-score: (\d+)', line)
        if match and marker:
            points[marker] = int(match.group(1))
            marker = None
    return points


def verdict(cases, file, number):
    """(status, reason): done/partly/todo/broken and one line saying why.

    The reason a student sees first is the most useful one: a syntax error;
    "not started yet" when every failure is the untouched stub; else the
    first failure, naming a child process's error before the parent's
    symptom (a reset connection, a wrong exit code).
    """
    failed = [c for c in cases if c[1] == 'failed']
    passed = len(cases) - len(failed)
    if not cases:
        return 'todo', 'no test ran'
    if not failed:
        return 'done', ''
    for case in failed:
        for text in (case[2], case.child_error):
            if re.search(r'\b(SyntaxError|IndentationError|TabError)\b', text):
                return 'broken', text[text.find('SyntaxError') if 'SyntaxError' in text else 0:]
    stub = f'NotImplementedError: exercise {number}:'
    if passed == 0 and all(stub in c[2] or stub in c.child_error for c in failed):
        return 'todo', f'not started yet: open {file}'
    first = failed[0]
    reason = f'{first[0]}: '
    if first.child_error:
        reason += f'in a child process: {first.child_error}; then in the test: '
    reason += first[2]
    return ('partly' if passed else 'todo'), reason


def rows_for(expected, results, points, root=None):
    """[(marker, number, title, passed, total, status, points, max points, reason)]."""
    rows = []
    for mk, (number, title, path) in expected.items():
        file = f'{mk}_*.py' if path is None else str(
            path.relative_to(root) if root and path.is_relative_to(root) else path.name)
        # A skipped test (say, not possible on this platform) is not graded.
        cases = [c for c in results.get(mk, []) if c[1] != 'skipped']
        ok = sum(1 for c in cases if c[1] == 'passed')
        status, reason = verdict(cases, file, number)
        most = points.get(mk, POINTS)
        rows.append((mk, number, title, ok, len(cases), status,
                     most if status == 'done' else 0, most, reason))
    return rows


def _expected(workspace, chapters, marker=None):
    expected = {}
    for chapter in chapters:
        for mk, number, path, title in workspace.exercises(chapter):
            if marker in (None, mk):
                where = workspace.module_dir(chapter)
                found = sorted(where.glob(mk + '_*.py'))
                expected[mk] = (number, title, found[0] if found else path)
    return expected


def _workspace_for(args):
    return find_workspace(solution=args.solution, starters=getattr(args, 'starters', False))


def _describe(workspace, chapters):
    names = ', '.join(c.name for c in chapters)
    if workspace.is_copy:
        return f'your copy {workspace.root} ({names})'
    return f"the repository's {workspace.impl}/ files in {workspace.root} ({names})"


def _print_failures(cases, indent, limit):
    """One line per failed test, the same message said once, at most ``limit``."""
    seen, shown = set(), 0
    failed = [c for c in cases if c[1] == 'failed']
    for case in failed:
        child = f'in a child process: {case.child_error}; then: ' if case.child_error else ''
        what = child + case[2]
        if what in seen:
            continue
        seen.add(what)
        if limit is not None and shown == limit:
            break
        print(f"{'':{indent}}{case[0]}: {what}"[:200])
        shown += 1
    hidden = len(failed) - shown
    if limit is None and hidden > 0:
        print(f"{'':{indent}}(and {hidden} more failing the same way)")


# -- the commands ---------------------------------------------------------------

def cmd_check(args):
    workspace = _workspace_for(args)
    chapters = select_chapters(workspace, args.chapter)
    marker = marker_of(args.exercise) if args.exercise else None
    if args.exercise and not marker:
        raise Problem(f'-e {args.exercise}: name an exercise like ex05_2 (or 05.2)')
    expected = _expected(workspace, chapters, marker)
    if not expected:
        raise Problem(f"no exercise {args.exercise!r} in {', '.join(c.name for c in chapters)}")
    targets = [c / 'tests' for c in chapters]
    extra = ['-m', marker] if marker else []
    extra += ['-k', args.k] if args.k else []
    extra += ['-x'] if args.exitfirst else []
    extra += ['-s'] if args.s else []
    more = shlex.split(args.pytest)
    full = args.full or args.s or bool(more)
    print(f'Checking {_describe(workspace, chapters)}, '
          f'multiprocessing = {args.mp}', flush=True)
    if full:
        result = run_pytest(pytest_command(workspace, targets, mp=args.mp,
                                           extra=extra + more), cwd=workspace.root)
        return result.returncode
    with tempfile.TemporaryDirectory(prefix='teachmp-check-') as tmp:
        junit = pathlib.Path(tmp, 'check.xml')
        result = run_pytest(pytest_command(workspace, targets, mp=args.mp, junit=junit,
                                           extra=extra + ['-q', '-p', 'no:warnings']),
                            cwd=workspace.root, capture=True)
        if result.returncode not in (0, 1) or not junit.is_file():
            sys.stdout.write(result.stdout[-4000:])
            sys.stderr.write(result.stderr[-4000:])
            raise Problem(f'the tests could not run (pytest exited with {result.returncode})')
        results = parse_junit(junit)
    if args.k:      # only the exercises that had a test selected
        expected = {mk: v for mk, v in expected.items() if results.get(mk)}
    rows = rows_for(expected, results, {}, workspace.root)
    for mk, number, title, ok, total, status, _, _, reason in rows:
        print(f'  {number:<5} {mk:<7} {ok:>3}/{total:<3} {status:<6} {reason or title}')
        if status in ('partly', 'todo') and not reason.startswith('not started'):
            _print_failures(results.get(mk, [])[1:], indent=22, limit=2)
    done = sum(1 for r in rows if r[5] == 'done')
    passed, total = sum(r[3] for r in rows), sum(r[4] for r in rows)
    print(f'Passed {passed} of {total} tests; {done} of {len(rows)} exercises done.')
    readmes = ', '.join(str((c / 'README.md').relative_to(workspace.root)) for c in chapters)
    print(f'The exercise statements: {readmes}.  Every failure in full: add --full.')
    return 0 if passed == total and total else 1


def summary(workspace, chapters, rows, *, mp, junit, strict, exit_code, error=None):
    """The JSON summary of one ``grade`` run (a dict, written by ``write_summary``).

    ``rows`` come from ``rows_for``; status ``done`` (every graded test
    passed), ``partly``, ``todo`` (none passed), ``broken`` (the file does
    not compile) or ``error`` (grading failed).  ``score`` is in points, the
    rule of ``POINTS`` (all tests of an exercise pass: its points; else 0),
    the same as the exported workflow's; ``totals`` also counts tests.
    """
    passed = sum(r[3] for r in rows)
    total = sum(r[4] for r in rows)
    done = sum(1 for r in rows if r[5] == 'done')
    earned, possible = sum(r[6] for r in rows), sum(r[7] for r in rows)
    chapter_of = {}
    for chapter in chapters:
        for mk, *_ in workspace.exercises(chapter):
            chapter_of[mk] = chapter.name
    github = {key: os.environ[env] for key, env in (
        ('repository', 'GITHUB_REPOSITORY'), ('actor', 'GITHUB_ACTOR'),
        ('sha', 'GITHUB_SHA'), ('run_id', 'GITHUB_RUN_ID')) if os.environ.get(env)}
    return {
        'format': SUMMARY_FORMAT,
        'tool': 'python -m teachmp grade',
        'timestamp': datetime.datetime.now(datetime.timezone.utc)
                             .isoformat(timespec='seconds'),
        'student_dir': str(workspace.root),
        'workspace': 'copy' if workspace.is_copy else 'repository:' + workspace.impl,
        'chapters': [c.name for c in chapters],
        'multiprocessing': mp,
        'python': {'version': platform.python_version(),
                   'implementation': platform.python_implementation(),
                   'executable': sys.executable},
        'platform': sys.platform,
        'github': github or None,
        'rule': SCORING_RULE,
        'exercises': [{'marker': mk, 'number': number, 'chapter': chapter_of.get(mk),
                       'title': title, 'passed': ok, 'total': n, 'status': status,
                       'points': pts, 'max_points': most, 'reason': reason}
                      for mk, number, title, ok, n, status, pts, most, reason in rows],
        'totals': {'tests_passed': passed, 'tests_total': total,
                   'exercises_done': done, 'exercises_total': len(rows)},
        'score': {'points': earned, 'max_points': possible,
                  'percent': round(100.0 * earned / possible, 1) if possible else 0.0},
        'strict': strict,
        'exit_code': exit_code,
        'junit_xml': str(junit),
        'error': error,
    }


def write_summary(path, data):
    """Write ``data`` as JSON atomically (a teacher's collector never sees half a file)."""
    path = pathlib.Path(path)
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')
    os.replace(tmp, path)


def cmd_grade(args):
    workspace = _workspace_for(args)
    marker = marker_of(args.which) if args.which else None
    chapter_arg = marker[2:4] if marker else args.which
    chapters = select_chapters(workspace, chapter_arg)
    expected = _expected(workspace, chapters, marker)
    if not expected:
        raise Problem(f'no exercise {args.which!r}')
    junit = pathlib.Path(args.junit).resolve()
    junit.unlink(missing_ok=True)
    json_path = pathlib.Path(args.json).resolve()
    json_path.unlink(missing_ok=True)

    def report(rows, exit_code, error=None):
        write_summary(json_path, summary(workspace, chapters, rows, mp=args.mp, junit=junit,
                                         strict=args.strict, exit_code=exit_code,
                                         error=error))

    extra = ['-q', '--tb=short', '-p', 'no:warnings'] + (['-m', marker] if marker else [])
    print(f'Grading {_describe(workspace, chapters)}', flush=True)
    result = run_pytest(pytest_command(workspace, [c / 'tests' for c in chapters],
                                       mp=args.mp, junit=junit, extra=extra),
                        cwd=workspace.root, capture=not args.verbose)
    points = workflow_points(workspace)
    if result.returncode not in (0, 1) or not junit.is_file():
        if not args.verbose:
            sys.stdout.write(result.stdout[-4000:])
            sys.stderr.write(result.stderr[-4000:])
        print(f'grading failed: pytest exited with {result.returncode}', file=sys.stderr)
        report([(mk, number, title, 0, 0, 'error', 0, points.get(mk, POINTS), '')
                for mk, (number, title, _) in expected.items()],
               2, error=f'pytest exited with {result.returncode}')
        print(f'JSON summary: {json_path}', file=sys.stderr)
        return 2
    results = parse_junit(junit)
    rows = rows_for(expected, results, points, workspace.root)
    for mk, number, title, ok, total, status, pts, most, reason in rows:
        print(f'  {number:<5} {mk:<7} {ok:>3}/{total:<3} tests  {status:<6} '
              f'{pts:>3}/{most:<3} points  {title}')
        if status != 'done':
            print(f"{'':10}{reason}"[:200])
        if status != 'done' and args.details:
            _print_failures(results.get(mk, []), indent=10, limit=None)
    passed, total = sum(r[3] for r in rows), sum(r[4] for r in rows)
    exit_code = 1 if args.strict and (passed < total or total == 0) else 0
    report(rows, exit_code)
    complete = sum(1 for r in rows if r[5] == 'done')
    print(f'Exercises complete: {complete}/{len(rows)}; tests passed: {passed}/{total}')
    print(f'The rule: {SCORING_RULE}')
    print(f'JUnit XML: {junit}')
    print(f'JSON summary: {json_path}')
    print(f'Score: {sum(r[6] for r in rows)}/{sum(r[7] for r in rows)}')
    return exit_code
