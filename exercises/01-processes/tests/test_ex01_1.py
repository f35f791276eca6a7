"""Tests of exercise 01.1: fan_out()."""
import multiprocessing as mp
import signal
import time

import pytest

import helpers01

pytestmark = [pytest.mark.ex01_1, pytest.mark.timeout(30)]


def test_empty_list_gives_empty_result(ex):
    assert ex.fan_out(helpers01.act, []) == []


def test_exit_codes_in_order(ex):
    codes = ex.fan_out(helpers01.act, [('exit', i) for i in range(6)])
    assert codes == list(range(6))


def test_how_a_process_ends_decides_its_exit_code(ex):
    cases = [('ok', None), ('exit', 3), ('exit', None), ('raise', 'boom'),
             ('signal', signal.SIGKILL)]
    # What the stdlib's Process reports for each case.
    expected = []
    for args in cases:
        p = mp.Process(target=helpers01.act, args=args)
        p.start()
        p.join()
        expected.append(p.exitcode)
    assert expected == [0, 3, 0, 1, -signal.SIGKILL]
    assert ex.fan_out(helpers01.act, cases) == expected


def test_all_processes_run_at_the_same_time(ex):
    # Each worker says "started" and then waits for a go signal that the
    # releaser only sends once it has heard from all of them.  If fan_out()
    # joined worker 0 before starting worker 1, the releaser would hear from
    # worker 0 alone.
    n = 4
    started_r, started_w = mp.Pipe(duplex=False)
    gates = [mp.Pipe(duplex=False) for _ in range(n)]
    report_r, report_w = mp.Pipe(duplex=False)
    rel = mp.Process(target=helpers01.releaser,
                     args=(n, started_r, [w for _, w in gates], report_w))
    rel.start()
    try:
        codes = ex.fan_out(helpers01.rendezvous,
                           [(i, started_w, gates[i][0]) for i in range(n)])
    finally:
        started_w.send('stop')       # wakes the releaser if fan_out failed
        rel.join(10)
    seen = report_r.recv()
    assert sorted(seen) == list(range(n)), 'not all workers were running at once'
    assert codes == [0] * n


def test_timeout_terminates_what_is_still_running(ex):
    r, w = mp.Pipe(duplex=False)     # nobody ever sends on w
    t0 = time.monotonic()
    codes = ex.fan_out(helpers01.act, [('ok', None), ('wait', r), ('exit', 2)],
                       timeout=1.5)
    elapsed = time.monotonic() - t0
    assert codes == [0, -signal.SIGTERM, 2]
    assert elapsed < 6
    assert mp.active_children() == []


def test_timeout_not_needed_when_everything_finishes(ex):
    t0 = time.monotonic()
    assert ex.fan_out(helpers01.act, [('ok', None)] * 3, timeout=20) == [0, 0, 0]
    assert time.monotonic() - t0 < 10
