"""Run the test suite on every Python 3.10-3.15 found (``make test-all``).

    python tools/test_all.py [pytest arguments...]

Interpreters are looked up in pyenv (``~/.pyenv/versions/3.1[0-5]*``, or
``$PYENV_ROOT/versions``) and on PATH (``python3.10`` ... ``python3.15``);
one per minor version, pyenv first.  For each, a virtual environment
``.venv-3.X`` is created (once) with the project installed editable with its
``test`` extra, and pytest runs in it (without coverage: ``make test`` is
the coverage run).  A summary table follows; the exit status is nonzero if
any interpreter failed, or if none was found.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# 3.14 and 3.15 are used when present: their multiprocessing API is gated
# in teachmp.compat, and only a real interpreter checks it against the stdlib
# (tests/test_api_surface.py).  None could be installed where this was written.
MINORS = (10, 11, 12, 13, 14, 15)
INSTALL_TIMEOUT = 900  # seconds
TEST_TIMEOUT = 3600  # seconds for one whole pytest run


def version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, '-c', 'import sys; print(*sys.version_info[:2])'],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.split()
    return int(major), int(minor)


def find_interpreters() -> dict[int, str]:
    """minor version -> interpreter path, pyenv first, then PATH."""
    found: dict[int, str] = {}
    pyenv_root = os.environ.get('PYENV_ROOT', os.path.expanduser('~/.pyenv'))
    candidates = []
    for minor in MINORS:
        # newest patch release first (3.10.14 before 3.10.9)
        paths = glob.glob(os.path.join(pyenv_root, 'versions', f'3.{minor}*', 'bin', 'python'))
        paths.sort(key=_version_key, reverse=True)
        candidates += paths
    for minor in MINORS:
        exe = shutil.which(f'python3.{minor}')
        if exe:
            candidates.append(exe)
    for path in candidates:
        version = version_of(path)
        if version and version[0] == 3 and version[1] in MINORS:
            found.setdefault(version[1], path)
    return dict(sorted(found.items()))


def _version_key(path: str):
    name = Path(path).parent.parent.name  # e.g. 3.12.1
    parts = []
    for piece in name.split('.'):
        digits = ''.join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else -1)
    return parts


def ensure_venv(python: str, minor: int) -> tuple[Path | None, str]:
    """Create .venv-3.X and install the project; return (its python, note)."""
    venv = ROOT / f'.venv-3.{minor}'
    vpython = venv / 'bin' / 'python'
    stamp = venv / '.installed-stamp'
    pyproject = ROOT / 'pyproject.toml'
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return vpython, 'reused'
    steps = []
    if not vpython.exists():
        steps.append([python, '-m', 'venv', str(venv)])
    steps.append([str(vpython), '-m', 'pip', 'install', '-q', '--upgrade', 'pip'])
    steps.append([str(vpython), '-m', 'pip', 'install', '-q', '-e', '.[test]'])
    for cmd in steps:
        print('  $ ' + ' '.join(cmd), flush=True)
        try:
            done = subprocess.run(cmd, cwd=ROOT, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            return None, 'install timed out'
        if done.returncode != 0:
            return None, f"install failed ({' '.join(cmd[-3:])})"
    stamp.touch()
    return vpython, 'installed'


def run_suite(vpython: Path, pytest_args: list[str]) -> tuple[int, str]:
    cmd = [str(vpython), '-m', 'pytest', '-q', '-p', 'no:cacheprovider', *pytest_args]
    print('  $ ' + ' '.join(cmd), flush=True)
    try:
        done = subprocess.run(cmd, cwd=ROOT, timeout=TEST_TIMEOUT)
    except subprocess.TimeoutExpired:
        return 1, 'timed out'
    status = done.returncode
    meaning = {0: 'passed', 1: 'tests failed', 2: 'interrupted', 3: 'internal error',
               4: 'usage error', 5: 'no tests collected'}
    return (status if status != 5 else 1), meaning.get(status, f'exit {status}')


def main(argv: list[str]) -> int:
    interpreters = find_interpreters()
    if not interpreters:
        print('test_all: no Python 3.10-3.15 found (pyenv or python3.1x on PATH)')
        return 1
    rows = []
    for minor, python in interpreters.items():
        print(f'\n=== Python 3.{minor}: {python}', flush=True)
        start = time.monotonic()
        vpython, note = ensure_venv(python, minor)
        if vpython is None:
            rows.append((f'3.{minor}', python, 'FAIL', note, time.monotonic() - start))
            continue
        status, what = run_suite(vpython, argv)
        rows.append(
            (f'3.{minor}', python, 'ok' if status == 0 else 'FAIL', what,
             time.monotonic() - start)
        )

    missing = [f'3.{m}' for m in MINORS if m not in interpreters]
    print('\n' + '=' * 72)
    print(f"{'python':<8} {'result':<6} {'time':>7}  {'details':<20} interpreter")
    for version, python, result, what, seconds in rows:
        print(f'{version:<8} {result:<6} {seconds:6.0f}s  {what:<20} {python}')
    if missing:
        print(f"not found (not tested): {', '.join(missing)}")
    failed = [r for r in rows if r[2] != 'ok']
    print(f'{len(rows) - len(failed)}/{len(rows)} interpreters passed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
