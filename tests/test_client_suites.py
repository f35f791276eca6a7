"""joblib's, pebble's and tqdm's own tests, a few of each, on teachmp.

tools/run_client_suites.py runs the libraries' test suites (from their
source distributions, downloaded into .cache/client-suites/ on first use)
under the stdlib and under ``python -m teachmp run``; ``make client-tests``
runs them whole.  Here, within ``make test``'s budget, its ``--quick``
subset: a test that passes on the stdlib and fails on teachmp fails this
test.  Without network (no sdist can be downloaded) the test is skipped and
says why.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / 'tools' / 'run_client_suites.py'


@pytest.mark.timeout(240)
def test_client_suites_quick_subset(tmp_path):
    report = tmp_path / 'report.json'
    env = {k: v for k, v in os.environ.items() if not k.startswith('COVERAGE_')}
    # The tool kills each pytest run's process group itself (per-run limit);
    # the timeout here only guards the tool.
    done = subprocess.run(
        [sys.executable, str(TOOL), '--quick', '--timeout', '30', '--limit', '100',
         '--json', str(report), '--out', str(tmp_path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True, timeout=220,
    )
    assert report.exists(), done.stdout
    data = json.loads(report.read_text())
    if not data['suites']:
        pytest.skip('no client suite could run: ' + '; '.join(
            f'{name}: {why}' for name, why in data['skipped'].items()))
    assert data['differ'] == [], done.stdout
    assert done.returncode == 0, done.stdout
    for name, result in data['suites'].items():
        stdlib = [o for n, o in result['stdlib'].items() if n != '<run>']
        # The subset really ran (a broken selection would pass vacuously).
        assert stdlib.count('passed') >= 3, (name, done.stdout)
        assert '<run>' not in result['teachmp'], (name, done.stdout)
