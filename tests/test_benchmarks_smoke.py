"""Smoke test of the benchmark suite (``python -m benchmarks``).

It checks that the suite runs and produces its table -- never how fast
anything is: timings on a shared test machine prove nothing.
"""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'benchmarks', 'results.md')
HEADER = ('| benchmark | unit | teachmp | stdlib | OS floor '
          '| teachmp/stdlib | teachmp/floor | target | result |')


def _mtime(path):
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


@pytest.mark.timeout(240)
def test_quick_run_prints_the_table():
    before = _mtime(RESULTS)
    proc = subprocess.run(
        [sys.executable, '-m', 'benchmarks', '--quick',
         '--only', 'pipe_roundtrip', '--count', '200', '--runs', '1'],
        cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=200)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert HEADER in lines
    rows = [line for line in lines if line.startswith('| ')
            and line != HEADER]
    assert len(rows) == 1, proc.stdout          # --only: that row and no other
    cells = [c.strip() for c in rows[0].strip('|').split('|')]
    assert '`pipe_roundtrip`' in cells[0]
    assert cells[1] == 'µs/round trip'
    # teachmp, stdlib and floor columns all hold a number
    for value in cells[2:5]:
        float(value.split()[0])
    # a --quick run never overwrites the committed results
    assert _mtime(RESULTS) == before


# The rows added with chapters 04-09 (pool_speedup is left out: it is the
# one that needs real CPU work to run at all).
LATER_ROWS = ['lock_uncontended', 'lock_handoff', 'value_increment',
              'array_read', 'array_write', 'shm_cycle', 'queue_one',
              'queue_four', 'pool_map_tiny', 'manager_dict', 'manager_start',
              'listener_connect']


@pytest.mark.timeout(240)
def test_quick_run_of_the_later_rows():
    proc = subprocess.run(
        [sys.executable, '-m', 'benchmarks', '--quick', '--runs', '1',
         '--count', '4', '--only', ','.join(LATER_ROWS)],
        cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=200)
    assert proc.returncode == 0, proc.stderr
    rows = {}
    for line in proc.stdout.splitlines():
        if line.startswith('| ') and line != HEADER and ', CPU (' not in line:
            cells = [c.strip() for c in line.strip('|').split('|')]
            rows[cells[0].rsplit('(`', 1)[1].rstrip('`)')] = cells
    assert sorted(rows) == sorted(LATER_ROWS), proc.stdout
    for name, cells in rows.items():
        for value in cells[2:4]:                 # teachmp and stdlib
            float(value.split()[0])
    assert rows['pool_map_tiny'][4] == 'n/a'     # no OS floor for a pool
    assert rows['lock_uncontended'][7] == 'teachmp ≤ 1.60 µs'


def test_absolute_target_and_missing_floor():
    sys.path.insert(0, ROOT)
    try:
        from benchmarks import report
    finally:
        sys.path.remove(ROOT)
    samples = {('same', 'lock_uncontended', 'teachmp'): [1.0, 1.5, 2.0],
               ('same', 'lock_uncontended', 'stdlib'): [0.1, 0.2, 0.3],
               ('same', 'pool_map_tiny', 'teachmp'): [3.0, 4.0, 5.0],
               ('same', 'pool_map_tiny', 'stdlib'): [4.0, 4.0, 4.0],
               ('same', 'pool_map_tiny', 'floor'): []}
    text = report.table(['lock_uncontended', 'pool_map_tiny'], samples,
                        'same')
    assert '| teachmp ≤ 1.60 µs | pass |' in text
    row = [line for line in text.splitlines() if 'pool_map_tiny' in line][0]
    cells = [c.strip() for c in row.strip('|').split('|')]
    assert cells[4] == 'n/a' and cells[6] == 'n/a'
    samples['same', 'lock_uncontended', 'teachmp'] = [1.7, 1.8, 1.9]
    text = report.table(['lock_uncontended'], samples, 'same')
    assert '| teachmp ≤ 1.60 µs | **FAIL** |' in text


def test_report_renders_every_section():
    sys.path.insert(0, ROOT)
    try:
        from benchmarks import __main__ as driver
        from benchmarks import report
    finally:
        sys.path.remove(ROOT)
    args = driver.parse_args(['--only', 'pipe_stream', '--runs', '3',
                              '--output', os.devnull])
    samples = {('same', 'pipe_stream', 'teachmp'): [950.0, 1000.0, 1050.0],
               ('same', 'pipe_stream', 'stdlib'): [900.0, 1000.0, 1100.0],
               ('same', 'pipe_stream', 'floor'): [1000.0, 1100.0, 1200.0]}
    text = report.table(['pipe_stream'], samples, 'same')
    assert HEADER in text.splitlines()
    assert '| 0.91 (0.88–0.95) | teachmp/floor ≥ 0.90 | pass |' in text
    info = report.machine_info()
    info.update(duration=1.0, load_after='0.00 0.00 0.00')
    doc = report.document(args, info, [('same', ['pipe_stream'], text)],
                          samples, {}, ['teachmp', 'stdlib', 'floor'])
    for part in ('# Benchmark results', '## Machine', '- CPU: ',
                 '## Raw samples', text):
        assert part in doc
