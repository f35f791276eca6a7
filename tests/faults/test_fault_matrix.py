"""The fault matrix in ``make test``: every scenario on teachmp, fork and
spawn, and on the stdlib wherever the stdlib does not hang.

Each cell runs in a subprocess of its own (``matrix.run_cell``: a new
session, killed after a hard timeout), so a hang costs seconds, not the
suite.  A teachmp cell passes when it has the expected outcome and keeps the
promise (``matrix.verdict``: no hang, no acknowledged item lost, no
process, thread, fd or /dev/shm segment left).  The 5 s limit (2 s after a
SIGINT) is not asserted here -- a loaded machine must not fail the suite --
but ``make faults`` reports it, in the table of the docs.
A stdlib cell checks that the scenario really is the fault it claims to be:
the stdlib must show the outcome written down here.  The stdlib's known
hangs run in ``make faults`` only (``python tests/faults/matrix.py``), which
also rewrites the table in the Reliability page of the docs.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import coverage_scope  # noqa: E402  (tests/, on sys.path by tests/conftest.py)
import matrix  # noqa: E402
import scenarios  # noqa: E402

METHODS = ('fork', 'spawn')

# What teachmp does in each scenario; the stdlib does the same unless
# STDLIB_DIFFERS says otherwise.
EXPECTED = {
    'pipe_sender_killed': 'raised OSError',
    'pipe_receiver_killed': 'raised BrokenPipeError',
    'queue_producer_killed': 'raised Empty',
    'queue_consumer_killed': 'ok',
    'manager_killed_during_call': 'raised EOFError',
    'manager_killed_between_calls': 'raised BrokenPipeError',
    'manager_lock_holder_killed': 'ok',
    'pool_worker_killed_mid_task': 'raised WorkerLostError',
    'pool_worker_killed_mid_result': 'raised WorkerLostError',
    'pool_worker_killed_taking_task': 'raised WorkerLostError',
    'barrier_party_killed': 'raised BrokenBarrierError',
    'condition_waiter_killed': 'ok',
    'event_setter_killed': 'ok',
    'sigint_pool_map': 'raised KeyboardInterrupt',
    'sigint_queue_get': 'raised KeyboardInterrupt',
    'sigint_process_join': 'raised KeyboardInterrupt',
    'sigint_manager_call': 'raised KeyboardInterrupt',
    'nofile_pipes': 'ok',
    'nofile_queues': 'ok',
    'nofile_pools': 'ok',
    'shm_full': 'ok',
    'eintr_pipe_recv': 'ok',
    'eintr_queue_get': 'ok',
    'eintr_lock_acquire': 'ok',
    'eintr_process_join': 'ok',
    'eintr_pool_map': 'ok',
    'eintr_manager_call': 'ok',
    'eintr_condition_wait': 'ok',
    'gc_pool': 'ok',
    'gc_queue': 'ok',
    'gc_manager': 'ok',
    'gc_listener': 'ok',
}

STDLIB_HANGS = {
    'queue_producer_killed': 'the write lock died with the producer, and get() '
                             'waits forever for the rest of its message',
    'pool_worker_killed_mid_task': 'gh-66587: the lost task\'s result never comes',
    'pool_worker_killed_mid_result': 'the result handler waits for the rest of '
                                     'the message forever',
    'pool_worker_killed_taking_task': 'the task is lost without a trace',
    'condition_waiter_killed': 'notify() waits for the dead waiter to wake',
}
STDLIB_DIFFERS = {
    # the read lock died with the consumer: the item is in the pipe, nobody
    # can take it, get(timeout=2) reports Empty
    'queue_consumer_killed': 'raised Empty',
}

# Not fixed in teachmp yet: the Queue notes who holds its read lock (so a
# dead consumer's lock is taken back), not who writes, so a message cut
# short by a dead producer still stops every get().
TEACHMP_NOT_YET = {
    'queue_producer_killed': 'a Queue whose producer died mid-message still hangs '
                             '(no owner note on the write lock yet)',
}

assert set(EXPECTED) == set(scenarios.SCENARIOS)


def _explain(record):
    return '\n'.join([
        'outcome %s, %.2f s, verdict: %s' % (record['outcome'], record.get('seconds', 0),
                                             record['verdict']),
        'detail: %s' % record.get('detail', ''),
        'leaks: %s' % record.get('leaks'),
        record.get('traceback', '')[-1500:],
        'stderr: ' + record.get('stderr', '')[-1500:],
    ])


def _params(impl):
    out = []
    for name in scenarios.SCENARIOS:
        for method in METHODS:
            marks = []
            if impl == 'teachmp' and name in TEACHMP_NOT_YET:
                marks.append(pytest.mark.xfail(reason=TEACHMP_NOT_YET[name], strict=True))
            if impl == 'stdlib' and name in STDLIB_HANGS:
                marks.append(pytest.mark.skip(
                    reason='known stdlib hang (%s); run by make faults' % STDLIB_HANGS[name]))
            out.append(pytest.param(name, method, id='%s-%s' % (method, name), marks=marks))
    return out


@pytest.mark.parametrize('name, method', _params('teachmp'))
def test_teachmp_cell(name, method):
    # a cell expected to hang is cut off soon after the 5 s promise
    timeout = 7.0 if name in TEACHMP_NOT_YET else matrix.HARD_TIMEOUT
    record = matrix.run_cell('teachmp', method, name, timeout=timeout)
    assert record['outcome'] == EXPECTED[name], _explain(record)
    # no timed assertion here (a loaded machine is slow): hanging past the
    # hard timeout fails, the seconds are checked in the make faults table
    assert matrix.verdict(record, timing=False) == 'pass', _explain(record)


@pytest.mark.parametrize('name, method', _params('stdlib'))
def test_stdlib_cell(name, method):
    # a stdlib cell runs no teachmp code: no coverage in its processes
    # (tests/coverage_scope.py)
    with coverage_scope.children_unmeasured():
        record = matrix.run_cell('stdlib', method, name)
    assert record['outcome'] == STDLIB_DIFFERS.get(name, EXPECTED[name]), _explain(record)
