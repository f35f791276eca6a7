"""Smoke test of the scaling series (benchmarks/scale.py): every one still runs.

Each series is measured once at its tiny ``--quick`` sizes, every point in
a fresh interpreter as ``make bench`` does it, and must produce a positive
number for teachmp, for the stdlib and (where the series has one) for the
OS floor at every x; then its table and both plots are drawn into a
temporary directory.  Nothing here is timed: the numbers of a smoke run on a
busy machine mean nothing, only their presence does.  Everything written
goes to ``tmp_path``, so the test is safe to run in parallel.
"""

import json
import math
import os
import subprocess
import sys

import pytest

from benchmarks import scale_report
from benchmarks.scaling import SERIES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _check_numbers(series, entry):
    assert entry['errors'] == {}, entry['errors']
    expected = ['teachmp', 'stdlib'] + (['floor'] if series.floor else [])
    assert entry['impls'] == expected
    for impl in expected:
        for x in entry['xs']:
            samples = entry['samples'][impl][str(x)]
            assert len(samples) == 1, (impl, x, samples)
            value = samples[0]['value']
            assert math.isfinite(value) and value > 0, (impl, x, value)
            if series.rss:
                assert samples[0]['rss_recv'] >= 0, (impl, x, samples[0])


@pytest.mark.timeout(150)
@pytest.mark.parametrize('name', list(SERIES))
def test_series_runs_at_tiny_sizes_and_plots(name, tmp_path):
    # The driver itself, as make bench runs it, but --quick and writing into
    # tmp_path only.  (A subprocess also keeps matplotlib's cached font
    # files out of this process, where the leak check would see them.)
    series = SERIES[name]
    out = tmp_path / 'scaling.json'
    proc = subprocess.run(
        [sys.executable, '-m', 'benchmarks.scale', '--quick', '--only', name,
         '--json', str(out), '--md', str(tmp_path / 'scaling.md'),
         '--img-dir', str(tmp_path), '--results', '-'],
        cwd=ROOT, capture_output=True, text=True, timeout=140)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding='utf-8'))
    entry = doc['series'][name]
    assert entry['xs'] == list(series.quick_xs)
    _check_numbers(series, entry)

    md = (tmp_path / 'scaling.md').read_text(encoding='utf-8')
    rows = [line for line in md.splitlines() if line.startswith(f'| `{name}` | ')]
    # one row per point, plus the summary row (and the RSS rows of payloads)
    assert len(rows) == len(series.quick_xs) * (2 if series.rss else 1) + 1

    en = (tmp_path / f'{name}.svg').read_text(encoding='utf-8')
    ja = (tmp_path / f'{name}.ja.svg').read_text(encoding='utf-8')
    # svg.fonttype none: the labels stay text, in the figure's language
    assert series.x_label[0] in en and series.y_label[0] in en
    assert series.x_label[1] in ja and series.y_label[1] in ja


def test_results_section_is_replaced_not_duplicated(tmp_path):
    results = tmp_path / 'results.md'
    results.write_text('# Benchmark results\n\nthe point benchmarks\n',
                       encoding='utf-8')
    name = 'lock_contention'
    entry = {'xs': [2], 'impls': ['teachmp', 'stdlib', 'floor'], 'errors': {},
             'samples': {'teachmp': {'2': [{'value': 1.0}]},
                         'stdlib': {'2': [{'value': 4.0}]},
                         'floor': {'2': [{'value': 8.0}]}}}
    doc = {'runs': [], 'series': {name: entry}}
    scale_report.update_results(str(results), doc)
    entry['samples']['teachmp']['2'] = [{'value': 3.0}]
    scale_report.update_results(str(results), doc)
    text = results.read_text(encoding='utf-8')
    assert text.startswith('# Benchmark results\n\nthe point benchmarks\n')
    assert text.count(scale_report.BEGIN) == 1
    # stdlib 4 pairs/s, teachmp 3: cost ratio 4/3 = 1.33, within the 1.5
    # target; against the floor's 8 pairs/s, 8/3 = 2.67
    assert '| `lock_contention` | 2 | pairs/s | 3.00 | 4.00 | 8.00 | 1.33 ' \
           '| 2.67 | ≤ 1.5 | met |' in text
