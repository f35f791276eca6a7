"""Exercise 02.1: what does a child see under each start method?

Uses the API: get_context(method), Process(name=...), current_process(),
parent_process(), and a Pipe to bring the answer home.
"""
import multiprocessing as mp
import os

# observe() changes this in the parent.  Does the child see the change?
SETTING = 'module default'


def report(conn):
    """Send over ``conn`` a dict describing the process that runs this.

    Keys: ``pid`` (os.getpid()), ``name`` (the current process's name),
    ``parent_pid`` (the pid of ``parent_process()``, or None when there is
    no parent process) and ``setting`` (the value of SETTING seen here).
    """
    raise NotImplementedError('exercise 02.1: report()')


def observe(method, setting, name='observer'):
    """Set SETTING to ``setting``, then run ``report`` in a child process.

    The child is started with start method ``method`` ('fork' or 'spawn')
    and is called ``name``.  Return the dict the child reported, plus the
    key ``exitcode`` (the child's exit code, after joining it).
    """
    raise NotImplementedError('exercise 02.1: observe()')
