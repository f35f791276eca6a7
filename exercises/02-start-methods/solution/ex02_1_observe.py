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
    parent = mp.parent_process()
    conn.send({
        'pid': os.getpid(),
        'name': mp.current_process().name,
        'parent_pid': parent.pid if parent is not None else None,
        'setting': SETTING,
    })


def observe(method, setting, name='observer'):
    """Set SETTING to ``setting``, then run ``report`` in a child process.

    The child is started with start method ``method`` ('fork' or 'spawn')
    and is called ``name``.  Return the dict the child reported, plus the
    key ``exitcode`` (the child's exit code, after joining it).
    """
    global SETTING
    SETTING = setting
    ctx = mp.get_context(method)
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=report, args=(writer,), name=name)
    child.start()
    writer.close()                  # our copy: the child has its own
    try:
        info = reader.recv()
    finally:
        reader.close()
        child.join()
    info['exitcode'] = child.exitcode
    return info
