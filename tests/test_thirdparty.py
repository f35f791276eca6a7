"""Real third-party clients of multiprocessing, unmodified, on teachmp.

joblib (its ``multiprocessing`` backend, whose ``MemmappingPool`` subclasses
``Pool``), tqdm (``process_map``, built on ``ProcessPoolExecutor``) and
pebble (a pool of its own over ``Process`` and ``Pipe``, with task timeouts
and cancellation).  Each program in tests/programs/ runs twice: ``python
PROGRAM`` (the stdlib) and ``python -m teachmp run PROGRAM`` (teachmp under
the name ``multiprocessing``).  Apart from the ``module`` line, stdout must be
the same, and it must be what the program computes (written out below, not
copied from a run).

The libraries come with the ``test`` extra of pyproject.toml.  Their own
test suites run on teachmp through tools/run_client_suites.py
(tests/test_client_suites.py runs a subset).
"""

from __future__ import annotations

import pytest

import targets

pytest.importorskip('joblib')
pytest.importorskip('pebble')
pytest.importorskip('tqdm')

TIMEOUT = 90  # seconds for one program run (a hang fails, it does not block)


def run(which, program, *args):
    result = targets.run_program(which, program, *args, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    name = 'multiprocessing' if which == 'stdlib' else 'teachmp'
    lines = result.stdout.splitlines()
    # The program really ran on the implementation we meant.
    assert lines[0] == f'module {name}', result.stdout
    return lines[1:]


def check(program, *args, expected):
    stdlib = run('stdlib', program, *args)
    assert stdlib == expected
    assert run('teachmp', program, *args) == stdlib


@pytest.mark.parametrize('method', ['fork', 'spawn'])
def test_joblib_multiprocessing_backend(method):
    check(
        'client_joblib.py',
        method,
        expected=[
            'squares ' + str([i * i for i in range(10)]),
            'raised ValueError task 3 failed',
            'first [0, 1, 4]',
            'again [9, 16, 25]',
            'batched ' + str(sum(i * i for i in range(100))),
        ],
    )


def test_tqdm_process_map():
    check(
        'client_tqdm.py',
        'map',
        expected=[
            'results ' + str(list(range(1, 21))),
            'two iterables ' + str([i**2 for i in range(6)]),
        ],
    )


def test_tqdm_process_map_unpicklable_function_raises():
    # ProcessPoolExecutor's queue feeder cannot pickle the lambda; the
    # executor's feeder-error hook must fail the futures (a hang here ends
    # in the subprocess timeout, as a failure).
    check('client_tqdm.py', 'unpicklable', expected=['raised PicklingError'])


@pytest.mark.parametrize('method', ['fork', 'spawn'])
def test_pebble_process_pool_timeout_and_cancel(method):
    check(
        'client_pebble.py',
        method,
        expected=[
            'result 49',
            "raised KeyError 'k' True",
            "timeout TimeoutError ('Task timeout', 0.5)",
            # pebble's SIGTERM handler in the worker calls
            # multiprocessing.util._exit_function() and exits with 15;
            # -9 would mean it failed and pebble waited 3 s to SIGKILL it.
            'timed-out worker ended [15]',
            'cancel True',
            'cancelled True',
            'cancelled worker ended [15]',
            'after 64',
            'map ' + str([i * i for i in range(10)]),
        ],
    )
