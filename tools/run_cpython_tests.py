"""Run the interpreter's own multiprocessing clients' tests on the stdlib and on teachmp.

    python tools/run_cpython_tests.py [--python PY] [--timeout S] [-k TEXT]
                                      [--json OUT] [--subset]

Two suites that ship with CPython (``Lib/test``):

* ``test.test_concurrent_futures`` -- its process-pool classes (fork, spawn,
  forkserver; the thread-pool classes and the Future tests do not touch
  multiprocessing).  A package from 3.12, a single module before;
* ``test.test_multiprocessing_main_handling`` -- a ``Pool`` program run as
  a script, a directory, a zip file, a ``.pyc``, ``-m module``...

Each test runs twice: on the stdlib (``python this-file --worker ...``) and
on teachmp (``python -m teachmp run this-file --worker ...``: the program's
``multiprocessing`` *is* teachmp, exactly as for any program run that way;
with ``TEACHMP_ALIAS_SUBPROCESS=1``, so that the interpreters the tests start
themselves with ``subprocess`` get teachmp too).

The worker runs one test class at a time and reports each test's start and
end on a pipe.  A test that has not ended after ``--timeout`` seconds is a
**hang**: the runner kills the worker's whole process group and starts a
new worker for the rest of the class.  A hang is reported, never waited
for.  The table shows, per test, pass / fail / error / skip / hang for each
engine; the exit status is 1 if a test passes on the stdlib and not on
teachmp.

Which interpreter: ``--python``; by default the one running this file if
its ``Lib/test`` has ``test_concurrent_futures`` (some builds leave it out;
pyenv's 3.11 and 3.12 here do), else the newest pyenv interpreter that does.
``--subset`` runs a representative part (a class of each kind and start
method, see ``SUBSET``) -- what ``make test`` runs; ``make client-tests``
runs everything.
"""

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = ('test.test_concurrent_futures', 'test.test_multiprocessing_main_handling')
STATUSES = ('pass', 'fail', 'error', 'skip', 'hang')

# What --subset keeps (substrings of test ids): the executor's core tests,
# the shutdown and deadlock tests that hung before, each start method once,
# and the main-module forms for spawn.
SUBSET = (
    'ProcessPoolForkProcessPoolExecutorTest',
    'ProcessPoolSpawnProcessPoolShutdownTest',
    'ProcessPoolForkserverExecutorDeadlockTest',
    'ProcessPoolSpawnInitializerTest',
    'ProcessPoolForkFailingInitializerTest',
    'SpawnCmdLineTest',
)


# -- the worker: runs in the interpreter under test ----------------------------

def _wanted(test_id):
    if '.test_concurrent_futures' in test_id:
        cls = test_id.rsplit('.', 2)[-2]
        return cls.startswith('ProcessPool') or 'FailingInitializerResources' in cls
    return True


def _iter_tests(suite):
    import unittest
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _iter_tests(item)
        else:
            yield item


def _load(names):
    import unittest
    loader = unittest.TestLoader()
    tests = []
    for name in names:
        try:
            tests.extend(_iter_tests(loader.loadTestsFromName(name)))
        except unittest.SkipTest:
            pass            # the module skips itself here: nothing to run
    return tests


def worker(report_fd, what, ids):
    """Run the tests ``ids`` (or list the suites' tests), reporting on ``report_fd``."""
    import unittest
    os.set_inheritable(report_fd, False)    # not for the tests' own children
    out = os.fdopen(report_fd, 'w', buffering=1)

    def send(**event):
        out.write(json.dumps(event) + '\n')
        out.flush()

    if what == 'list':
        for test in _load(SUITES):
            if test.id().startswith('unittest.loader._FailedTest'):
                continue    # this build's Lib/test lacks the suite: nothing to run
            if _wanted(test.id()):
                send(event='test', id=test.id())
        return

    class Reporter(unittest.TestResult):
        def startTest(self, test):
            super().startTest(test)
            send(event='start', id=test.id())

        def _end(self, test, status, err=None):
            detail = ''
            if err is not None:
                detail = self._exc_info_to_string(err, test)[-2000:]
            if isinstance(test, unittest.TestCase):
                send(event='end', id=test.id(), status=status, detail=detail)
            else:   # setUpClass/setUpModule: the class's tests will not run
                send(event='fixture', id=str(test), status=status, detail=detail)

        def addSuccess(self, test):
            self._end(test, 'pass')

        def addFailure(self, test, err):
            self._end(test, 'fail', err)

        def addError(self, test, err):
            self._end(test, 'error', err)

        def addSkip(self, test, reason):
            self._end(test, 'skip')

        def addExpectedFailure(self, test, err):
            self._end(test, 'pass')

        def addUnexpectedSuccess(self, test):
            self._end(test, 'fail')

        def addSubTest(self, test, subtest, err):
            if err is not None:
                failed = issubclass(err[0], test.failureException)
                self._end(subtest, 'fail' if failed else 'error', err)

    suite = unittest.TestSuite(unittest.TestLoader().loadTestsFromName(i) for i in ids)
    import multiprocessing      # which one the tests got: the runner checks
    send(event='engine', name=multiprocessing.__name__)
    suite.run(Reporter())
    send(event='done')


# -- the runner ---------------------------------------------------------------

def has_suite(python):
    probe = 'import test.test_concurrent_futures'
    try:
        return subprocess.run([python, '-c', probe], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def default_python():
    if has_suite(sys.executable):
        return sys.executable
    root = os.environ.get('PYENV_ROOT', os.path.expanduser('~/.pyenv'))
    try:
        versions = os.listdir(os.path.join(root, 'versions'))
    except OSError:
        versions = []

    def key(v):
        return tuple(int(p) if p.isdigit() else -1 for p in v.split('.'))
    for v in sorted(versions, key=key, reverse=True):
        python = os.path.join(root, 'versions', v, 'bin', 'python')
        if key(v)[:2] >= (3, 10) and os.path.exists(python) and has_suite(python):
            return python
    return None


def worker_env(engine):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [ROOT] + ([env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    env.pop('PYTHONWARNINGS', None)
    if engine == 'teachmp':
        env['TEACHMP_ALIAS_SUBPROCESS'] = '1'
    return env


def start_worker(python, engine, what, ids):
    r, w = os.pipe()
    log = tempfile.TemporaryFile()      # a file, not a pipe: never fills up
    cmd = [python]
    if engine == 'teachmp':
        cmd += ['-m', 'teachmp', 'run']
    cmd += [os.path.abspath(__file__), '--worker', str(w), what] + list(ids)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=worker_env(engine), pass_fds=[w],
                            stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    proc.log = log
    os.close(w)
    return proc, r


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


class Lines:
    """JSON events from a worker's report pipe, with a deadline per read."""

    def __init__(self, fd):
        self.fd, self.buf = fd, b''

    def next(self, timeout):
        deadline = time.monotonic() + timeout
        while b'\n' not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return 'timeout'
            data = os.read(self.fd, 65536)
            if not data:
                return None         # the worker is gone
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)


def _drain(proc):
    """Wait for the worker; what it printed (stdout and stderr), for a crash report."""
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_group(proc)
    proc.log.seek(0)
    out = proc.log.read()
    proc.log.close()
    return out.decode('utf-8', 'replace')[-2000:]


def list_tests(python):
    proc, fd = start_worker(python, 'stdlib', 'list', [])
    lines, ids = Lines(fd), []
    while True:
        event = lines.next(120)
        if not isinstance(event, dict):
            break
        ids.append(event['id'])
    out = _drain(proc)
    os.close(fd)
    if proc.returncode != 0:
        raise SystemExit('listing the tests failed:\n' + out)
    return ids


def run_group(python, engine, ids, timeout, results, details):
    """Run one class's tests on one engine; a hang restarts the worker."""
    todo = list(ids)
    while todo:
        proc, fd = start_worker(python, engine, 'run', todo)
        lines, current = Lines(fd), None
        try:
            while True:
                event = lines.next(timeout if current else timeout + 60)
                if event == 'timeout':
                    if current is None:
                        current = todo[0]
                    results[current] = 'hang'
                    details[current] = 'no result after %ss: killed' % timeout
                    kill_group(proc)
                    _drain(proc)
                    break
                if event is None or event['event'] == 'done':
                    tail = _drain(proc)
                    for tid in todo:
                        if tid not in results:
                            results[tid] = 'error'
                            details[tid] = 'the worker ended (%s) before this test ' \
                                           'reported:\n%s' % (proc.returncode, tail)
                    break
                if event['event'] == 'engine':
                    want = 'teachmp' if engine == 'teachmp' else 'multiprocessing'
                    if event['name'] != want:
                        raise SystemExit('the %s worker got %r as multiprocessing'
                                         % (engine, event['name']))
                    continue
                if event['event'] == 'start':
                    current = event['id']
                elif event['event'] == 'end':
                    tid = event['id']
                    # a failing subtest makes the test fail, whatever comes after
                    if results.get(tid) not in ('fail', 'error'):
                        results[tid] = event['status']
                    if event['detail']:
                        details.setdefault(tid, event['detail'])
                    if tid == current:
                        current = None
                elif event['event'] == 'fixture':
                    for tid in todo:
                        results.setdefault(tid, event['status'])
                        details.setdefault(tid, event['detail'])
        finally:
            os.close(fd)
            if proc.poll() is None:
                kill_group(proc)
            if not proc.log.closed:
                proc.log.close()
        todo = [t for t in todo if t not in results]


def short(test_id):
    return test_id.replace('test.test_concurrent_futures.', 'cf.').replace(
        'test.test_multiprocessing_main_handling.', 'main_handling.')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--python', help='interpreter whose Lib/test to run')
    parser.add_argument('--timeout', type=float, default=90,
                        help='seconds a test may take before it counts as a hang')
    parser.add_argument('-k', action='append', default=[],
                        help='only tests whose id contains this (repeatable)')
    parser.add_argument('--subset', action='store_true', help='the representative subset')
    parser.add_argument('--engine', action='append', choices=('stdlib', 'teachmp'))
    parser.add_argument('--json', help='write the results here')
    parser.add_argument('--rerun', action='store_true',
                        help='run each test that passed on the stdlib and not on '
                             'teachmp once more, on both (a machine under load can '
                             'make any test miss a deadline); a pass then is '
                             'listed as "passed on re-run", not hidden')
    parser.add_argument('-v', '--verbose', action='store_true',
                        help='print the details of every test that did not pass')
    args = parser.parse_args(argv)
    # a runner that is told to stop takes its worker's process group along
    # (run_group's finally), instead of leaving it running
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    python = args.python or default_python()
    if python is None:
        print('no interpreter here ships test.test_concurrent_futures; '
              'give one with --python')
        return 2
    engines = args.engine or ['stdlib', 'teachmp']
    version = subprocess.run([python, '-c', 'import sys; print(sys.version.split()[0])'],
                             capture_output=True, text=True).stdout.strip()
    ids = list_tests(python)
    keep = args.k + (list(SUBSET) if args.subset else [])
    if keep:
        ids = [t for t in ids if any(k in t for k in keep)]
    groups = {}
    for tid in ids:
        groups.setdefault(tid.rsplit('.', 1)[0], []).append(tid)
    print('Python %s (%s): %d tests in %d classes, per-test timeout %ss'
          % (version, python, len(ids), len(groups), args.timeout), flush=True)
    results = {e: {} for e in engines}
    details = {e: {} for e in engines}
    started = time.monotonic()
    for group, members in groups.items():
        for engine in engines:
            t0 = time.monotonic()
            run_group(python, engine, members, args.timeout, results[engine], details[engine])
            counts = ' '.join('%s=%d' % (s, n) for s in STATUSES
                              if (n := sum(results[engine][t] == s for t in members)))
            print('  %-70s %-8s %s (%.0fs)' % (short(group), engine, counts,
                                               time.monotonic() - t0), flush=True)
    rerun_passed = []
    if args.rerun and set(engines) == {'stdlib', 'teachmp'}:
        again = [t for t in ids if results['stdlib'].get(t) == 'pass'
                 and results['teachmp'].get(t) != 'pass']
        for tid in again:
            first = results['teachmp'].pop(tid)
            run_group(python, 'teachmp', [tid], args.timeout, results['teachmp'],
                      details['teachmp'])
            if results['teachmp'][tid] == 'pass':
                rerun_passed.append((tid, first))
    elapsed = time.monotonic() - started

    print()
    print('%-92s' % 'test' + ''.join(' %-7s' % e for e in engines))
    for tid in ids:
        print('%-92s' % short(tid) + ''.join(' %-7s' % results[e].get(tid, '-')
                                            for e in engines))
    print()
    for e in engines:
        print('%-8s %s' % (e, ' '.join('%s=%d' % (s, sum(r == s for r in results[e].values()))
                                       for s in STATUSES)))
    regressions = []
    if set(engines) == {'stdlib', 'teachmp'}:
        regressions = [t for t in ids if results['stdlib'].get(t) == 'pass'
                       and results['teachmp'].get(t) != 'pass']
    for tid, first in rerun_passed:
        print('passed on re-run (first %s on teachmp): %s' % (first, short(tid)))
    print('%d tests pass on the stdlib and not on teachmp; %.0fs'
          % (len(regressions), elapsed))
    for tid in regressions:
        print('\n--- %s: %s on teachmp\n%s' % (short(tid), results['teachmp'].get(tid),
                                              details['teachmp'].get(tid, '')))
    if args.verbose:
        for e in engines:
            for tid in ids:
                if results[e].get(tid) not in ('pass', 'skip') and tid not in regressions:
                    print('\n--- %s: %s on %s\n%s' % (short(tid), results[e].get(tid), e,
                                                     details[e].get(tid, '')))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'python': python, 'version': version, 'results': results,
                       'details': details, 'regressions': regressions,
                       'passed_on_rerun': [t for t, _ in rerun_passed],
                       'seconds': elapsed}, f, indent=1)
    return 1 if regressions else 0


if __name__ == '__main__':
    if sys.argv[1:2] == ['--worker']:
        worker(int(sys.argv[2]), sys.argv[3], sys.argv[4:])
    else:
        sys.exit(main())
