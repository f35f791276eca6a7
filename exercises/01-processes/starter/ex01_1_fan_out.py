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
    raise NotImplementedError('exercise 01.1: fan_out()')
