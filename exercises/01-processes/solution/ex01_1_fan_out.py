"""Exercise 01.1: fan work out to N processes and collect their exit codes.

Uses the API: Process, start, join(timeout), terminate, exitcode.
"""
import multiprocessing as mp
import time


def fan_out(target, args_list, timeout=None):
    """Run ``target(*args)`` in its own process for every ``args`` in ``args_list``.

    Start *all* the processes before joining any of them, so that they run
    at the same time.  Return the list of exit codes, in the order of
    ``args_list``.

    If ``timeout`` (seconds) is not None, it bounds the whole call: processes
    still running when it expires are terminated (their exit code is then
    ``-signal.SIGTERM``).  No process may be left running or unjoined.
    """
    procs = [mp.Process(target=target, args=tuple(args)) for args in args_list]
    for p in procs:
        p.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    for p in procs:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        p.join(remaining)
    for p in procs:
        if p.exitcode is None:        # still running after the deadline
            p.terminate()
            p.join()
    return [p.exitcode for p in procs]
