"""What an unmodified multiprocessing program sees (for test_run_command).

Usage: run_probe.py EXITCODE [ARGS...]: prints what it knows, asks a fork
child and a spawn child which module ``multiprocessing`` is for them, then
exits with EXITCODE (an int, or "raise" to end with an exception).
"""
import multiprocessing
import multiprocessing.connection
import os
import sys
from multiprocessing import Pipe, get_context


def report(conn):
    import multiprocessing as m
    import multiprocessing.connection as mc

    conn.send(
        (
            __name__,
            m.__name__,
            m.Process.__module__.split('.')[0],
            mc.Connection.__module__,
            m.current_process().name,
        )
    )
    conn.close()


if __name__ == '__main__':
    print('argv', sys.argv[1:])
    print('argv0 is this file', os.path.samefile(sys.argv[0], __file__))
    print('name', __name__, sys.modules['__main__'].__name__)
    print('file', os.path.relpath(__file__))
    print('spec', __spec__)
    print('path0', os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)))
    print('module', multiprocessing.__name__)
    print('submodule', multiprocessing.connection.__name__)
    print('same Pipe', Pipe is multiprocessing.Pipe)
    for method in ('fork', 'spawn'):
        ctx = get_context(method)
        a, b = ctx.Pipe()
        p = ctx.Process(target=report, args=(b,), name=method + '-child')
        p.start()
        b.close()
        print(method, a.recv() if a.poll(30) else None)
        p.join(30)
        a.close()
    sys.stdout.flush()
    code = sys.argv[1]
    if code == 'raise':
        raise KeyError('raised by the program')
    sys.exit(int(code) if code.lstrip('-').isdigit() else code)
