"""Run real clients' own test suites on the stdlib and on teachmp.

    python tools/run_client_suites.py [--suite NAME ...] [--impl stdlib|teachmp]
                                      [--timeout S] [--quick] [-k EXPR]
                                      [-x] [--cache DIR] [--out DIR] [--json FILE]

``make client-tests`` runs it.  Three libraries that build on
``multiprocessing`` ship test suites of their own; a suite that passes on the
stdlib must pass on teachmp too:

* **joblib** -- ``-k multiprocessing`` of ``joblib/test/test_parallel.py``
  (its ``multiprocessing`` backend is a ``Pool`` subclass), and
  **joblib-memmapping**: ``test_memmapping.py`` but its loky tests -- that
  ``Pool`` subclass, ``MemmappingPool``, overrides ``_setup_queues`` to send
  big numpy arrays to the workers as memory maps (numpy comes with the test
  extra for these);
* **pebble** -- its process-pool, ``concurrent.process`` and
  ``asynchronous.process`` tests, the fork and the spawn files;
* **tqdm** -- ``process_map`` (``tests_concurrent.py``), its lazily created
  ``multiprocessing.RLock`` (``tests_rlock.py``), and the core and
  synchronisation tests (``tests_tqdm.py``, ``tests_synchronisation.py``):
  every bar writes under that ``RLock``, and ``Pool.imap`` is in there.

How:

1. **Sources.**  The test suites are not in the wheels we install (joblib's
   is, but not its ``conftest.py``), so the tool downloads the source
   distribution of the *installed* version of each library (``pip download
   --no-binary :all: --no-deps NAME==VERSION``) into a cache directory
   (``.cache/client-suites/``, git-ignored) and unpacks it there, once.  No
   network: the suite is reported as skipped, with the reason, and the tool
   still exits 0 (a clean clone without network cannot run them).
2. **Two runs per suite.**  pytest runs in the unpacked source directory,
   once as ``python -m pytest ...`` (the stdlib) and once as ``python -m
   teachmp run -m pytest ...``: the very alias ``teachmp run`` installs for
   any program (``teachmp.runner``), so every ``import multiprocessing`` in
   pytest, the library, its tests and their spawned children is teachmp.
   One exception: a test that starts a *new interpreter* with
   ``subprocess`` runs that interpreter on the stdlib (the alias travels to
   multiprocessing's own children only).
3. **Timeouts.**  Each test has a per-test timeout (pytest-timeout,
   ``--timeout``, signal method: the test fails and the run goes on); the
   whole run has a wall-clock limit, after which its process group is
   killed and the tests not reported count as ``hang``.
4. **Results.**  This file is also a tiny pytest plugin
   (``-p run_client_suites``): it appends each test's outcome to a JSON-lines
   file as it happens, so a run that is killed still tells what it did.  The
   tool prints a table: suite x stdlib (pass/fail/skip) x teachmp, then the
   tests that pass on the stdlib and not on teachmp: the ones ``KNOWN``
   explains (matched on the failure's traceback) apart from the rest.  The
   exit status is 1 if there is any of the rest.

The suites' own pytest settings are replaced by ours (``-c`` with a small
ini file in the output directory): their ``addopts`` ask for plugins we do not install
(pytest-asyncio, coverage) and turn warnings into errors.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / '.cache' / 'client-suites'
LOG_ENV = 'TEACHMP_CLIENT_SUITE_LOG'

# name: (distribution, test arguments relative to the unpacked sdist,
#        the subset --quick runs: a few tests, seconds not minutes)
SUITES = {
    'joblib': (
        'joblib',
        ['joblib/test/test_parallel.py', '-k', 'multiprocessing'],
        ['joblib/test/test_parallel.py', '-k',
         'multiprocessing and not loky and (test_simple_parallel'
         ' or test_parallel_timeout or test_error_in_task_iterator'
         ' or test_abort_backend or test_initializer_parallel)'],
    ),
    # MemmappingPool proper: the Pool subclass with its own _setup_queues,
    # whose reducers send big numpy arrays as memory maps (needs numpy).
    'joblib-memmapping': (
        'joblib',
        ['joblib/test/test_memmapping.py', '-k', 'not loky'],
        ['joblib/test/test_memmapping.py', '-k',
         'not loky and (test_pool_with_memmap or test_memmapping_pool_for_large_arrays)'],
    ),
    'pebble': (
        'pebble',
        [f'test/test_{kind}_{method}.py'
         for kind in ('process_pool', 'concurrent_process', 'asynchronous_process')
         for method in ('fork', 'spawn')],
        ['test/test_process_pool_fork.py', 'test/test_process_pool_spawn.py', '-k',
         'test_process_pool_single_future or test_process_pool_timeout'
         ' or test_process_pool_cancel or test_process_pool_map_single'],
    ),
    'tqdm': (
        'tqdm',
        ['tests/tests_concurrent.py', 'tests/tests_rlock.py',
         'tests/tests_synchronisation.py', 'tests/tests_tqdm.py'],
        ['tests/tests_concurrent.py', 'tests/tests_rlock.py',
         'tests/tests_synchronisation.py::test_imap'],
    ),
}

# Differences we know and can explain, so that they do not hide new ones:
# (suite prefix, text found in the test's id or in teachmp's failure report,
# why).  A test that passes on the stdlib and fails on teachmp that way is
# listed as known, not as a regression.
LOKY = ("needs loky, joblib's default backend (some tests of the "
        "multiprocessing backend call Parallel() with the default too): loky "
        "re-implements parts of multiprocessing on top of the stdlib's private "
        "internals (multiprocessing.resource_tracker, the arguments of "
        "Queue._feed, _multiprocessing.SemLock), and teachmp has internals "
        "of its own, not those")
KNOWN = [
    ('joblib', 'joblib/externals/loky/', LOKY),
    # Parallel(backend="loky") in two threads: loky fails inside the
    # threads, so the failing assertion's traceback does not name loky.
    ('joblib', '::test_memmapping_temp_folder_thread_safety', LOKY),
    # Parallel(n_jobs=2) -- the default, loky -- in a thread; the backend
    # parameter is not used by the test.
    ('joblib', '::test_background_thread_parallelism[multiprocessing]', LOKY),
]

# Suites that need a module the test extra does not install.
NEEDS = {'joblib-memmapping': 'numpy'}

INI = """\
[pytest]
# Written by tools/run_client_suites.py: replaces the suite's own settings.
python_files = test_*.py tests_*.py
addopts = -p no:cacheprovider
timeout = {timeout}
timeout_method = signal
markers =
    slow: tqdm's
    asyncio: tqdm's
"""


# -- the plugin half: runs inside pytest ---------------------------------------

def pytest_runtest_logreport(report):
    """Append one line per test phase to the file named by $LOG_ENV."""
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    outcome = report.outcome
    if hasattr(report, 'wasxfail'):
        outcome = 'xfail' if report.skipped else 'xpass'
    line = {'nodeid': report.nodeid, 'when': report.when, 'outcome': outcome}
    if report.failed:
        # where it failed: KNOWN matches on it (the file names in the traceback)
        line['text'] = report.longreprtext[-20000:]
    # Only the process that runs pytest writes (a forked child that
    # inherits the hook never reports tests).
    with open(path, 'a', encoding='utf-8') as f:
        f.write(json.dumps(line) + '\n')


# -- the tool half ----------------------------------------------------------------

def installed_version(dist: str) -> str | None:
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def fetch_source(dist: str, version: str, cache: Path) -> tuple[Path | None, str]:
    """The unpacked sdist of dist==version (downloaded once), or a reason."""
    target = cache / f'{dist}-{version}'
    if (target / '.unpacked').exists():
        return target, ''
    downloads = cache / 'downloads'
    downloads.mkdir(parents=True, exist_ok=True)
    archives = sorted(downloads.glob(f'{dist}-{version}.tar.gz'))
    if not archives:
        cmd = [sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps',
               '--no-binary', ':all:', '--disable-pip-version-check',
               '-d', str(downloads), f'{dist}=={version}']
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return None, 'pip download timed out (no network?)'
        archives = sorted(downloads.glob(f'{dist}-{version}.tar.gz'))
        if done.returncode != 0 or not archives:
            last = (done.stderr.strip().splitlines() or ['no archive'])[-1]
            return None, (f'could not download the {dist} {version} sdist ({last});'
                          ' no network? the sources come from the package index')
    with tarfile.open(archives[0]) as tar:
        top = tar.getnames()[0].split('/')[0]
        if sys.version_info >= (3, 12):
            tar.extractall(cache, filter='data')
        else:
            tar.extractall(cache)   # our own download of a PyPI sdist
    unpacked = cache / top
    if unpacked != target:
        if target.exists():
            import shutil
            shutil.rmtree(target)
        unpacked.rename(target)
    (target / '.unpacked').touch()
    return target, ''


def run_suite(srcdir: Path, impl: str, args: list[str], *, timeout: float,
              limit: float, out: Path, name: str, extra: list[str]) -> tuple:
    """Run pytest on one implementation: ({nodeid: outcome}, {nodeid: failure text})."""
    ini = out / 'pytest.ini'
    ini.write_text(INI.format(timeout=timeout))
    log = out / f'results-{name}-{impl}.jsonl'
    log.unlink(missing_ok=True)
    runner = ['-m', 'pytest'] if impl == 'stdlib' else ['-m', 'teachmp', 'run', '-m', 'pytest']
    cmd = [sys.executable, *runner, '-c', str(ini), '--rootdir', str(srcdir),
           '-p', 'run_client_suites', '-q', '-rN', *args, *extra]
    env = dict(os.environ)
    env[LOG_ENV] = str(log)
    # tools/ for the plugin; the repository for teachmp (also from a clone
    # without an installed teachmp); the source directory first, as pytest
    # run from there would have it.
    env['PYTHONPATH'] = os.pathsep.join(
        [str(srcdir), str(ROOT / 'tools'), str(ROOT)]
        + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    env.pop('PYTHONWARNINGS', None)
    with open(out / f'output-{name}-{impl}.txt', 'w') as f:
        proc = subprocess.Popen(cmd, cwd=srcdir, env=env, stdout=f,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            proc.wait(limit)
            hung = False
        except subprocess.TimeoutExpired:
            hung = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # A run that ended leaves its workers behind sometimes (a hung test's
    # children): end the whole group either way.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    texts: dict[str, str] = {}
    results = collect(log, texts)
    if hung:
        results['<run>'] = 'hang'
    elif proc.returncode not in (0, 1, 5):
        # pytest exit codes: 0 ok, 1 tests failed, 5 nothing collected;
        # anything else (2 interrupted, 3 internal error, 4 usage, a
        # signal) is a broken run.
        results['<run>'] = f'exit {proc.returncode}'
    return results, texts


def collect(log: Path, texts: dict | None = None) -> dict:
    """{nodeid: passed/failed/error/skipped/hang}; failure texts into *texts*."""
    results: dict[str, str] = {}
    if not log.exists():
        return results
    for raw in log.read_text().splitlines():
        line = json.loads(raw)
        nodeid, when, outcome = line['nodeid'], line['when'], line['outcome']
        if texts is not None and 'text' in line:
            texts[nodeid] = texts.get(nodeid, '') + line['text']
        if when == 'setup':
            results[nodeid] = {'passed': 'started', 'failed': 'error'}.get(outcome, 'skipped')
        elif when == 'call':
            results[nodeid] = {'xfail': 'skipped', 'xpass': 'passed'}.get(outcome, outcome)
        elif outcome == 'failed' and results.get(nodeid) == 'passed':
            results[nodeid] = 'error'           # a failing teardown
    # A test that began (setup passed) and never finished: the run hung in it.
    return {k: ('hang' if v == 'started' else v) for k, v in results.items()}


def counts(results: dict) -> str:
    if not results:
        return '-'
    n = {'passed': 0, 'failed': 0, 'skipped': 0}
    for nodeid, outcome in results.items():
        if nodeid == '<run>':
            continue
        key = outcome if outcome in n else 'failed'     # error / hang count as failed
        n[key] += 1
    text = '%d/%d/%d' % (n['passed'], n['failed'], n['skipped'])
    if '<run>' in results:
        text += ' (' + results['<run>'] + ')'
    return text


def known_reason(name: str, nodeid: str, text: str) -> str | None:
    for suite, needle, why in KNOWN:
        if name.startswith(suite) and (needle in nodeid or needle in text):
            return why
    return None


def print_table(impls, rows, differ, known):
    header = ('suite', *(f'{i} (pass/fail/skip)' for i in impls))
    table = [r for r in rows if not r[1].startswith('skipped')]
    widths = [max(len(r[c]) for r in [header, *table]) for c in range(len(header))]
    for row in [header, *rows]:
        if row[1].startswith('skipped'):
            print(row[0].ljust(widths[0]), ' ', row[1])
        else:
            print('  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if known:
        print('\npassed on the stdlib, not on teachmp, known (tools/run_client_suites.py KNOWN):')
        reasons = {}
        for name, nodeid, outcome, why in known:
            reasons.setdefault((name, why), []).append(f'{nodeid}: {outcome}')
        for (name, why), tests in reasons.items():
            print(f'  {name}, {len(tests)} tests: {why}')
            for t in tests:
                print(f'    {t}')
    if differ:
        print('\npassed on the stdlib, not on teachmp:')
        for name, nodeid, outcome in differ:
            print(f'  {name}: {nodeid}: {outcome}')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--suite', action='append', choices=sorted(SUITES),
                        help='run only this suite (repeatable); default: all')
    parser.add_argument('--impl', action='append', choices=['stdlib', 'teachmp'],
                        help='run only on this implementation; default: both')
    parser.add_argument('--timeout', type=float, default=60,
                        help='per-test timeout in seconds (default 60)')
    parser.add_argument('--limit', type=float, default=1800,
                        help='wall-clock limit for one suite run (default 1800 s)')
    parser.add_argument('--quick', action='store_true',
                        help='a few tests per suite (what tests/test_client_suites.py runs)')
    parser.add_argument('-k', dest='keyword', help='pytest -k for every suite (with --suite)')
    parser.add_argument('-x', dest='exitfirst', action='store_true',
                        help='stop each run at its first failure')
    parser.add_argument('--cache', type=Path, default=DEFAULT_CACHE,
                        help='where the sources go (default .cache/client-suites)')
    parser.add_argument('--out', type=Path,
                        help="where each run's output and results go (default CACHE/last-run)")
    parser.add_argument('--json', type=Path, help='write every outcome to this file')
    opts = parser.parse_args(argv)

    cache = opts.cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    out = (opts.out or cache / 'last-run').resolve()
    out.mkdir(parents=True, exist_ok=True)
    impls = opts.impl or ['stdlib', 'teachmp']
    extra = ['-x'] if opts.exitfirst else []
    rows, report, skipped, differ, known = [], {}, {}, [], []
    for name in opts.suite or sorted(SUITES):
        dist, full, quick = SUITES[name]
        args = list(quick if opts.quick else full)
        if opts.keyword:
            if '-k' in args:
                i = args.index('-k')
                args[i + 1] = f'({args[i + 1]}) and ({opts.keyword})'
            else:
                args += ['-k', opts.keyword]
        version = installed_version(dist)
        need = NEEDS.get(name)
        if version is None:
            why = f"{dist} is not installed (it comes with the test extra: pip install -e '.[test]')"
        elif need and importlib.util.find_spec(need) is None:
            why = f'needs {need}, which is not installed'
        else:
            srcdir, why = fetch_source(dist, version, cache)
        if why:
            skipped[name] = why
            rows.append((name if version is None else f'{name} {version}', 'skipped: ' + why))
            continue
        results, texts = {}, {}
        for impl in impls:
            started = time.monotonic()
            print(f'run_client_suites: {name} {version} on {impl} ...', flush=True)
            results[impl], texts[impl] = run_suite(
                srcdir, impl, args, timeout=opts.timeout, limit=opts.limit,
                out=out, name=name, extra=extra)
            print(f"run_client_suites:   {counts(results[impl])} (pass/fail/skip)"
                  f" in {time.monotonic() - started:.0f} s;"
                  f" output in {out / f'output-{name}-{impl}.txt'}", flush=True)
        report[name] = {'version': version, **results}
        rows.append((f'{name} {version}', *(counts(results[i]) for i in impls)))
        if len(impls) == 2:
            std, tmp = results['stdlib'], results['teachmp']
            for nodeid, outcome in sorted(std.items()):
                got = tmp.get(nodeid, 'not run')
                if outcome != 'passed' or got == 'passed':
                    continue
                why = known_reason(name, nodeid, texts['teachmp'].get(nodeid, ''))
                if why:
                    known.append((name, nodeid, got, why))
                else:
                    differ.append((name, nodeid, got))

    print()
    print_table(impls, rows, differ, known)
    if opts.json:
        opts.json.write_text(json.dumps(
            {'suites': report, 'skipped': skipped, 'differ': differ,
             'known': known}, indent=1))
    return 1 if differ else 0


if __name__ == '__main__':
    sys.exit(main())
