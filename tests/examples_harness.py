"""Run a standalone program twice -- on the stdlib and under
``python -m teachmp run`` -- and compare what it printed.

Shared by ``test_examples.py`` (the chapters' examples) and
``test_stdlib_doc_examples.py`` (the Python documentation's examples).

Comparison rules (``docs`` conventions): stdout and the exit code, after
replacing ``0x<hex>`` by ``0xADDR``, ``pid<sep><digits>`` by ``pid=N`` and a
library's temporary directory (``/tmp/pymp-…``, ``/tmp/teachmp-…``) by
``/TMPDIR``.
Header comments in the first 15 lines of a program adjust them::

    # example: unordered        compare stdout lines sorted
    # example: stderr-tail      also compare the last line of stderr
    # example: skip "reason"    do not run (say why)
    # example: timeout N        seconds per run (default 60)
    # example: erase REGEX      delete every match of REGEX (Python ``re``,
                                MULTILINE) before comparing; may be repeated

``erase`` is for values that differ from run to run and that the standard
rules do not catch: a pid printed as a bare number, a worker's name suffix,
dots printed while polling.  It is applied to stdout and to the compared
stderr line (teachmp's teaching hints, paragraphs starting ``teachmp:``,
left out), after the standard normalisation and before ``unordered``
sorts the lines.  The regex is the rest of the line (trailing blanks are
dropped).

``TEACHMP_EXAMPLES_START_METHOD=forkserver`` in the environment runs every
program with that default start method, on both implementations.

Each run gets its own session (``start_new_session``), so that anything it
leaves running -- a grandchild the test process cannot see as a child -- is
found through the session id, reported and killed.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import support
from coverage_scope import env_without_coverage

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TIMEOUT = 60.0
HEADER_LINES = 15
LEFTOVER_GRACE = 3.0  # seconds a program's descendants get to finish

_DIRECTIVE = re.compile(r'^\s*#\s*example:\s*(?P<name>[\w-]+)\s*(?P<arg>.*?)\s*$')
_PID = re.compile(r'pid[ =:]*\d+')
_TEMP_DIR = re.compile(r'/(?:pymp|teachmp)-[A-Za-z0-9_]+')


@dataclasses.dataclass
class Options:
    unordered: bool = False
    stderr_tail: bool = False
    skip: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    erase: list = dataclasses.field(default_factory=list)  # compiled regexes


def read_options(path: Path) -> Options:
    """Parse the ``# example:`` directives in the first lines of *path*."""
    opts = Options()
    with open(path, encoding='utf-8') as f:
        head = [line for _, line in zip(range(HEADER_LINES), f)]
    for lineno, line in enumerate(head, 1):
        m = _DIRECTIVE.match(line)
        if not m:
            continue
        name, arg = m.group('name'), m.group('arg')
        where = f'{path}:{lineno}'
        if name == 'unordered':
            opts.unordered = True
        elif name == 'stderr-tail':
            opts.stderr_tail = True
        elif name == 'skip':
            reason = arg.strip()
            if len(reason) >= 2 and reason[0] == reason[-1] and reason[0] in "\"'":
                reason = reason[1:-1]
            if not reason:
                raise ValueError(f"{where}: '# example: skip' needs a reason")
            opts.skip = reason
        elif name == 'timeout':
            try:
                opts.timeout = float(arg)
            except ValueError:
                raise ValueError(f'{where}: bad timeout {arg!r}') from None
        elif name == 'erase':
            if not arg:
                raise ValueError(f"{where}: '# example: erase' needs a regex")
            try:
                opts.erase.append(re.compile(arg, re.MULTILINE))
            except re.error as exc:
                raise ValueError(f'{where}: bad regex {arg!r}: {exc}') from None
        else:
            raise ValueError(f"{where}: unknown directive '# example: {name}'")
    return opts


def normalise(text: str) -> str:
    # addresses as support.normalise does it; an example's output names pids
    # in more ways than a repr does ("ppid 12", "pid=12"), hence the own _PID
    text = support.normalise(text)
    # a library's private temporary directory (forkserver's socket lives
    # there) has a random name: /tmp/pymp-k2j9x_a1, /tmp/teachmp-8fz1q0cd
    text = _TEMP_DIR.sub('/TMPDIR', text)
    return _PID.sub('pid=N', text)


# teachmp adds a teaching hint after some of the stdlib's messages (the
# spawn guard error, a lambda sent to a Pool): an indented paragraph that
# starts with "teachmp:".  The stdlib's own text before it is unchanged, and
# that is what the last stderr line compares.
_HINT = re.compile(r'^[ \t]+teachmp: .*?(?=^[ \t]*$|\Z)', re.MULTILINE | re.DOTALL)


def last_line(text: str) -> str:
    """The last non-blank line of *text*, teachmp's teaching hints left out."""
    lines = [line for line in _HINT.sub('', text).splitlines() if line.strip()]
    return lines[-1] if lines else ''


# -- running -------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    argv: list
    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    leftovers: list  # descriptions of processes still alive afterwards

    def describe(self) -> str:
        head = f'$ {shlex.join(self.argv)}\n'
        if self.timed_out:
            head += 'TIMED OUT (killed)\n'
        else:
            head += f'exit code {self.returncode}\n'
        return (
            head
            + '--- stdout ---\n'
            + self.stdout
            + '--- stderr ---\n'
            + self.stderr
        )


def _session_members(sid: int) -> list[tuple[int, str]]:
    """(pid, comm) of every process whose session id is *sid*."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat', 'rb') as f:
                data = f.read().decode('utf-8', 'replace')
        except OSError:
            continue
        rpar = data.rfind(')')
        fields = data[rpar + 2 :].split()
        # fields: state ppid pgrp session ...
        if fields[0] != 'Z' and int(fields[3]) == sid:
            found.append((int(entry), data[data.find('(') + 1 : rpar]))
    return found


def _kill_session(sid: int) -> None:
    for pid, _ in _session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def run_program(argv, cwd, timeout: float, env=None) -> Outcome:
    """Run *argv* in its own session; kill the whole session on timeout."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    sid = proc.pid
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_session(sid)
        proc.kill()
        out, err = proc.communicate(timeout=10)
    except BaseException:  # pytest-timeout, KeyboardInterrupt: leave nothing
        _kill_session(sid)
        proc.kill()
        proc.communicate(timeout=10)
        raise
    # descendants that outlive the program (an orphaned grandchild, a daemon
    # that was never stopped) are found by session id
    deadline = time.monotonic() + LEFTOVER_GRACE
    members = _session_members(sid)
    while members and time.monotonic() < deadline:
        time.sleep(0.05)
        members = _session_members(sid)
    leftovers = [f'pid {pid} ({comm})' for pid, comm in members]
    if members:
        _kill_session(sid)
    return Outcome(
        list(argv),
        None if timed_out else proc.returncode,
        out.decode('utf-8', 'replace'),
        err.decode('utf-8', 'replace'),
        timed_out,
        leftovers,
    )


def stdlib_argv(script: Path) -> list:
    return [sys.executable, script.name]


def teachmp_argv(script: Path) -> list:
    return [sys.executable, '-m', 'teachmp', 'run', script.name]


START_METHOD_SITE = ROOT / 'tests' / 'start_method_site'


def child_env() -> dict:
    """The environment for a program run: ours, with teachmp importable.

    With ``TEACHMP_EXAMPLES_START_METHOD=forkserver`` (or another method) in
    the environment, every program runs with that default start method on
    both implementations (see ``tests/start_method_site/sitecustomize.py``).
    """
    env = dict(os.environ)
    path = env.get('PYTHONPATH')
    env['PYTHONPATH'] = str(ROOT) + (os.pathsep + path if path else '')
    if env.get('TEACHMP_EXAMPLES_START_METHOD'):
        env['PYTHONPATH'] = str(START_METHOD_SITE) + os.pathsep + env['PYTHONPATH']
    # the tests' own PYTHONSAFEPATH etc. are inherited as they are
    return env


def compared_view(outcome: Outcome, opts: Options, extra_normalise=None) -> dict:
    def norm(text):
        text = normalise(text)
        if extra_normalise:
            text = extra_normalise(text)
        for regex in opts.erase:
            text = regex.sub('', text)
        return text

    stdout = norm(outcome.stdout)
    if opts.unordered:
        stdout = ''.join(sorted(stdout.splitlines(keepends=True)))
    view = {'exit code': outcome.returncode, 'stdout': stdout}
    if opts.stderr_tail:
        # A qualified exception name says which implementation raised it
        # (teachmp.context.TimeoutError vs multiprocessing.context...): the
        # same exception, so compare it without the package name.
        view['last stderr line'] = re.sub(
            r'\bteachmp\.', 'multiprocessing.', norm(last_line(outcome.stderr)))
    return view


def compare_runs(script: Path, opts: Options | None = None, extra_normalise=None) -> None:
    """Run *script* on the stdlib and on teachmp; fail if they differ.

    *extra_normalise* (text -> text) runs after the standard normalisation,
    for programs that print pids in words of their own.
    """
    if opts is None:
        opts = read_options(script)
    if opts.skip:
        pytest.skip(opts.skip)
    env = child_env()
    cwd = script.parent
    # the stdlib run executes no teachmp code: no coverage to pay for
    # (tests/coverage_scope.py)
    ref = run_program(stdlib_argv(script), cwd, opts.timeout, env_without_coverage(env))
    if ref.timed_out or ref.leftovers:
        what = []
        if ref.timed_out:
            what.append(f'timed out after {opts.timeout:g} s')
        if ref.leftovers:
            what.append('left processes running: ' + ', '.join(ref.leftovers))
        pytest.fail(
            'the program misbehaves on the stdlib itself ('
            + '; '.join(what)
            + ')\n'
            + ref.describe(),
            pytrace=False,
        )
    got = run_program(teachmp_argv(script), cwd, opts.timeout, env)
    problems = []
    if got.timed_out:
        problems.append(f'timed out after {opts.timeout:g} s')
    if got.leftovers:
        problems.append('left processes running: ' + ', '.join(got.leftovers))
    want_view = compared_view(ref, opts, extra_normalise)
    got_view = compared_view(got, opts, extra_normalise)
    for key in want_view:
        if want_view[key] != got_view[key]:
            if key == 'stdout':
                diff = ''.join(
                    difflib.unified_diff(
                        want_view[key].splitlines(keepends=True),
                        got_view[key].splitlines(keepends=True),
                        'stdlib (normalised)',
                        'teachmp (normalised)',
                    )
                )
                problems.append('stdout differs:\n' + diff)
            else:
                problems.append(
                    f'{key} differs: stdlib {want_view[key]!r}, '
                    f'teachmp {got_view[key]!r}'
                )
    if problems:
        pytest.fail(
            '\n'.join(problems)
            + '\n\n=== stdlib ===\n'
            + ref.describe()
            + '\n=== teachmp ===\n'
            + got.describe(),
            pytrace=False,
        )


def params_for(scripts, root: Path, extra_time: float = 30.0):
    """pytest params (readable ids, skip marks, item timeouts) for *scripts*."""
    params = []
    for script in scripts:
        ident = script.relative_to(root).as_posix().replace('/examples/', '/')
        try:
            opts = read_options(script)
        except ValueError as exc:
            # surface the bad header as a failing test, not a collection crash
            params.append(pytest.param(script, exc, id=ident))
            continue
        marks = [pytest.mark.timeout(2 * opts.timeout + extra_time)]
        if opts.skip:
            marks.append(pytest.mark.skip(reason=f'{ident}: {opts.skip}'))
        params.append(pytest.param(script, opts, id=ident, marks=marks))
    return params
