"""Run one cell of the fault matrix: ``python cell.py IMPL METHOD SCENARIO``.

The parent (``matrix.py``) starts this script in a session of its own and
kills the whole session after a hard timeout, so a hang here cannot hang the
caller.  The script prints ``READY`` when the scenario is about to block (the
SIGINT scenarios wait for it) and, as its last line, one JSON object:

``outcome``  ``ok`` or ``raised <ExceptionType>``
``detail``   what the scenario observed (a return value, a message)
``seconds``  time from the fault (the kill, the signal...) to the outcome
``lost``     acknowledged items that never arrived (must be 0)
``leaks``    children, threads, fds and /dev/shm files left over afterwards

Two kinds of cell first move into a world of their own (``isolation``), so
that the fault hurts nobody else on the machine: an ``shm_`` cell gets a
private 1 MiB tmpfs on ``/dev/shm``, an ``nproc_`` cell becomes a user of
its own (root is exempt from ``RLIMIT_NPROC``).  Where that is impossible
the outcome is ``skipped`` with the reason.
"""

import importlib
import json
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE), os.path.dirname(os.path.dirname(HERE))]

import isolation   # noqa: E402  (tests/isolation.py)
import leakcheck   # noqa: E402  (tests/leakcheck.py)
import scenarios   # noqa: E402


def shm_files():
    # Only shared-memory segments: the stdlib's named semaphores (sem.*) live
    # for microseconds, and other programs on the machine make them too.
    try:
        return {f for f in os.listdir('/dev/shm') if f.startswith(('psm_', 'wnsm_'))}
    except OSError:
        return set()


def isolate(name):
    """Enter the cell's own world (see the header); None or why not."""
    if name.startswith('shm_'):
        return isolation.small_dev_shm(scenarios.SMALL_SHM)
    if name.startswith('nproc_'):
        return isolation.drop_privileges(isolation.uid_of_its_own(), [HERE])
    return None


def main(impl_name, method, name):
    reason = isolate(name)
    if reason:
        print(json.dumps({'impl': impl_name, 'method': method, 'scenario': name,
                          'outcome': 'skipped', 'detail': reason, 'seconds': 0,
                          'lost': 0, 'leaks': []}), flush=True)
        return
    # A program started in the background by a shell has SIGINT ignored;
    # the SIGINT scenarios need Python's usual KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    impl = importlib.import_module({'teachmp': 'teachmp', 'stdlib': 'multiprocessing'}[impl_name])
    ctx = impl.get_context(method)
    scenario = scenarios.SCENARIOS[name]
    shm_before = shm_files()
    before = leakcheck.Snapshot()
    probe = scenarios.Probe(impl, ctx, method)
    result = {'impl': impl_name, 'method': method, 'scenario': name}
    try:
        detail = scenario(probe)
        result['outcome'] = 'ok'
        result['detail'] = '' if detail is None else str(detail)
    except KeyboardInterrupt:
        raise           # the SIGINT scenarios end here: a traceback, status 1
    except BaseException as exc:
        result['outcome'] = 'raised %s' % type(exc).__name__
        result['detail'] = str(exc)[:160]
        result['traceback'] = traceback.format_exc()[-2000:]
    result['seconds'] = round(time.monotonic() - probe.fault_time, 3)
    result['lost'] = probe.lost
    probe.cleanup()
    del probe, scenario, ctx     # what is left now, the library left behind
    children, threads, fds = leakcheck.find_leaks(before)
    leaks = []
    leaks += ['process %d (%s)' % (pid, info[1]) for pid, info in children.items()]
    leaks += ['thread %s' % t.name for t in threads]
    leaks += ['fd %d -> %s' % item for item in fds.items()]
    if name.startswith('shm_'):
        # only where the scenario makes segments: other programs on the
        # machine make them too, and would be blamed here
        leaks += ['/dev/shm/%s' % f for f in sorted(shm_files() - shm_before)]
    result['leaks'] = leaks
    if children:
        leakcheck.kill_children(children)
    print(json.dumps(result), flush=True)


if __name__ == '__main__':
    main(*sys.argv[1:4])
