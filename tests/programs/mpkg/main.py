"""Run as ``python -m mpkg.main``: the spawned child imports the module by
name (not by path) as ``__mp_main__``."""
import importlib
import os
import sys

mp = importlib.import_module(os.environ.get('TEST_MP_IMPL', 'multiprocessing'))


def work(conn):
    conn.send((__name__, __spec__.name if __spec__ else None, mp.current_process().name))
    conn.close()


if __name__ == '__main__':
    ctx = mp.get_context(sys.argv[1] if len(sys.argv) > 1 else 'spawn')
    a, b = ctx.Pipe()
    p = ctx.Process(target=work, args=(b,))
    p.start()
    b.close()
    print('child reports', a.recv() if a.poll(30) else 'nothing', flush=True)
    p.join(30)
    a.close()
    print('exitcode', p.exitcode, flush=True)
