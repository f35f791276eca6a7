"""Run the fault matrix: every scenario on teachmp and the stdlib.

    python tests/faults/matrix.py [--impls teachmp,stdlib]
        [--methods fork,spawn,forkserver] [--only NAME,...]
        [--json FILE] [--markdown FILE] [--jobs 2]

Each cell is ``cell.py`` in a new session (``start_new_session``), killed
with its whole process group after ``HARD_TIMEOUT`` seconds: that cell is a
*hang*.  The SIGINT scenarios get a SIGINT sent to the group once the cell
prints ``READY``; they pass if the cell exits within 2 s of it with a
``KeyboardInterrupt`` traceback.  After every cell, any process left in its
group is an orphan (a leak) and is killed.

``tests/faults/test_fault_matrix.py`` runs the teachmp cells in ``make
test``; ``make faults`` runs everything and rewrites the table that the
Reliability page of the docs includes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import scenarios  # noqa: E402

HARD_TIMEOUT = 10.0     # a cell still running after this is a hang
SIGINT_DELAY = 0.3      # from READY to the SIGINT
SIGINT_LIMIT = 2.0      # the program must be gone this long after it
OK_LIMIT = 5.0          # a teachmp cell must end (raise or succeed) by then


def _group_members(pgid):
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry, 'rb') as f:
                data = f.read().decode('utf-8', 'replace')
        except OSError:
            continue
        fields = data[data.rfind(')') + 2:].split()
        if int(fields[2]) == pgid and fields[0] != 'Z':
            pids.append(int(entry))
    return pids


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_cell(impl, method, name, timeout=HARD_TIMEOUT):
    """Run one cell; return its record (see cell.py) plus ``status``."""
    cmd = [sys.executable, os.path.join(HERE, 'cell.py'), impl, method, name]
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''))
    env.pop('COVERAGE_PROCESS_START', None)     # a cell is measured as a program, not covered
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, text=True)
    pgid = proc.pid
    lines, sigint_at = [], []

    def read_stdout():
        for line in proc.stdout:
            lines.append(line)
            if line.strip() == 'READY' and not sigint_at:
                time.sleep(SIGINT_DELAY)
                sigint_at.append(time.monotonic())
                try:
                    os.killpg(pgid, signal.SIGINT)
                except ProcessLookupError:
                    pass
    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    err = []
    err_reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
    err_reader.start()
    hung = False
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        hung = True
    end = time.monotonic()
    # whatever is left in the group now is an orphan (or the hung cell)
    deadline = time.monotonic() + 2.0
    orphans = _group_members(pgid)
    while orphans and not hung and time.monotonic() < deadline:
        time.sleep(0.05)
        orphans = _group_members(pgid)
    _kill_group(pgid)
    proc.wait()
    reader.join(5)
    err_reader.join(5)
    stderr = err[0] if err else ''
    record = {'impl': impl, 'method': method, 'scenario': name, 'leaks': [], 'lost': 0}
    for line in reversed(lines):
        if line.startswith('{'):
            record.update(json.loads(line))
            break
    if name.startswith('sigint_'):
        if hung:
            record.update(outcome='hang', seconds=round(end - start, 1))
        else:
            t0 = sigint_at[0] if sigint_at else start
            record['seconds'] = round(end - t0, 3)
            if 'KeyboardInterrupt' in stderr and not sigint_at == []:
                record['outcome'] = 'raised KeyboardInterrupt'
            elif 'outcome' not in record:
                record['outcome'] = 'exit %s' % proc.returncode
    elif hung:
        record.update(outcome='hang', seconds=round(end - start, 1))
    elif 'outcome' not in record:
        record.update(outcome='crashed (exit %s)' % proc.returncode,
                      seconds=round(end - start, 3))
    if orphans and not hung:
        record['leaks'] = record['leaks'] + ['orphan process %d' % pid for pid in orphans]
    record['wall'] = round(end - start, 2)
    record['stderr'] = stderr[-3000:]
    record['verdict'] = verdict(record)
    return record


def verdict(record, timing=True):
    """``pass`` when a cell meets the promise (teachmp must), else why not.

    ``timing=False`` leaves out the 5 s (2 s) limit: on a loaded machine a
    test must not fail for being slow, only for hanging (the hard timeout);
    the times themselves are in the table that ``make faults`` writes.
    """
    problems = []
    outcome = record['outcome']
    if outcome == 'hang':
        problems.append('hang')
    elif outcome.startswith('crashed'):
        problems.append(outcome)
    limit = SIGINT_LIMIT if record['scenario'].startswith('sigint_') else OK_LIMIT
    if timing and outcome != 'hang' and record.get('seconds', 0) > limit:
        problems.append('slow (%.1f s)' % record['seconds'])
    if record['scenario'].startswith('sigint_') and outcome != 'raised KeyboardInterrupt':
        problems.append('no KeyboardInterrupt')
    if record.get('lost'):
        problems.append('lost %d' % record['lost'])
    if record.get('leaks'):
        problems.append('leaked %d' % len(record['leaks']))
    if 'AssertionError' in outcome:
        problems.append('set-up or check failed')
    return 'pass' if not problems else ', '.join(problems)


def _cell_text(record):
    outcome = record['outcome']
    if outcome == 'hang':
        text = '**hang**'
    else:
        text = '%s, %.2f s' % (outcome, record.get('seconds', 0))
    extra = []
    if record.get('lost'):
        extra.append('lost %d' % record['lost'])
    if record.get('leaks'):
        extra.append('leaked %d' % len(record['leaks']))
    if extra:
        text += ' (' + ', '.join(extra) + ')'
    return text


def markdown(records, methods):
    """The table the Reliability page includes: one row per scenario."""
    by = {(r['impl'], r['method'], r['scenario']): r for r in records}
    head = ['scenario'] + ['%s %s' % (i, m) for m in methods for i in ('teachmp', 'stdlib')]
    out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for name, func in scenarios.SCENARIOS.items():
        row = ['`%s`' % name]
        for m in methods:
            for i in ('teachmp', 'stdlib'):
                r = by.get((i, m, name))
                row.append(_cell_text(r) if r else '')
        out.append('| ' + ' | '.join(row) + ' |')
    return '\n'.join(out) + '\n'


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--impls', default='teachmp,stdlib')
    ap.add_argument('--methods', default='fork,spawn,forkserver')
    ap.add_argument('--only', default='')
    ap.add_argument('--json')
    ap.add_argument('--markdown')
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('-v', '--verbose', action='store_true')
    args = ap.parse_args(argv)
    names = args.only.split(',') if args.only else list(scenarios.SCENARIOS)
    methods = args.methods.split(',')
    cells = [(i, m, n) for n in names for m in methods for i in args.impls.split(',')]
    records = []
    with ThreadPoolExecutor(args.jobs) as ex:
        for r in ex.map(lambda c: run_cell(*c), cells):
            records.append(r)
            print('%-8s %-10s %-32s %-40s %s' % (r['impl'], r['method'], r['scenario'],
                                                  _cell_text(r)[:40], r['verdict']), flush=True)
            if args.verbose and r['verdict'] != 'pass':
                print('   ', r.get('detail', ''), r.get('leaks'), r.get('traceback', '')[-600:],
                      r['stderr'][-600:])
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'python': sys.version.split()[0], 'cells': records}, f, indent=1)
    if args.markdown:
        with open(args.markdown, 'w') as f:
            f.write(markdown(records, methods))
    bad = [r for r in records if r['impl'] == 'teachmp' and r['verdict'] != 'pass']
    print('%d cells, %d teachmp cells failing' % (len(records), len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
