"""CPython's own tests for multiprocessing's clients pass on teachmp.

``tools/run_cpython_tests.py`` runs the interpreter's
``test.test_concurrent_futures`` process-pool classes and
``test.test_multiprocessing_main_handling`` on the stdlib and under
``python -m teachmp run`` (per-test timeout, hangs killed).  This test runs
its representative subset (``--subset``: about a minute) and fails if any
test passes on the stdlib but not on teachmp; ``make client-tests`` runs the
whole set (about six minutes).

Which interpreter: the one running the suite if its ``Lib/test`` ships
``test_concurrent_futures``, else the newest pyenv interpreter that does
(pyenv's 3.11 and 3.12 here leave it out); the test is skipped, saying so,
if there is none.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import run_cpython_tests  # noqa: E402


@pytest.mark.timeout(900)
def test_cpython_suites_pass_on_teachmp_where_they_pass_on_the_stdlib(tmp_path):
    python = run_cpython_tests.default_python()
    if python is None:
        pytest.skip('no interpreter here ships test.test_concurrent_futures')
    out = tmp_path / 'results.json'
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools', 'run_cpython_tests.py'),
         '--python', python, '--subset', '--rerun', '--timeout', '60', '--json', str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=840)
    assert out.exists(), proc.stdout[-5000:]
    data = json.loads(out.read_text())
    stdlib, teachmp = data['results']['stdlib'], data['results']['teachmp']
    # the run really ran something on both engines
    assert sum(r == 'pass' for r in stdlib.values()) >= 40, proc.stdout[-5000:]
    assert set(teachmp) == set(stdlib)
    regressions = data['regressions']
    assert not regressions, 'pass on the stdlib, not on teachmp (Python %s):\n%s' % (
        data['version'], '\n\n'.join(
            '%s: %s\n%s' % (t, teachmp[t], data['details']['teachmp'].get(t, ''))
            for t in regressions))
    assert proc.returncode == 0, proc.stdout[-5000:]
