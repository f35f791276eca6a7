"""Exercise 01.2: build a tiny Popen on os.fork() and os.waitpid().

This is the heart of teachmp/popen_fork.py: start a child that runs a
function, and turn what waitpid() reports into an exit code.
"""
import os
import sys
import traceback


def exitcode_from_status(status):
    """Turn an ``os.waitpid()`` status into a multiprocessing exit code.

    A child that exited with ``os._exit(n)`` gives ``n``; a child killed by
    signal ``s`` gives ``-s`` (whether or not it dumped core).
    """
    raise NotImplementedError('exercise 01.2: exitcode_from_status()')


def start(func, args=()):
    """Fork a child that runs ``func(*args)``; return the child's pid.

    The child must never return into the caller's code: it leaves with
    ``os._exit()``.  Its exit code follows the rules of ``Process``:
    0 when ``func`` returns; ``n`` for ``sys.exit(n)``; 0 for ``sys.exit()``;
    1 (and the message on stderr) for ``sys.exit("message")``; 1 (and the
    traceback on stderr) when ``func`` raises.  Flush stdout and stderr
    before forking, or the child will repeat what the parent had buffered.
    """
    raise NotImplementedError('exercise 01.2: start()')


def poll(pid, block=True):
    """Return the exit code of child ``pid``, or None if ``block`` is false
    and the child is still running."""
    raise NotImplementedError('exercise 01.2: poll()')
