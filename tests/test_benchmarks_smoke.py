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
