"""A script whose functions and classes travel to a spawned child.

The child re-imports this file as ``__mp_main__`` (module-level code runs
again there, the guarded block does not).  TEST_MP_IMPL picks the module
(default: multiprocessing).
"""
import importlib
import os
import sys

mp = importlib.import_module(os.environ.get('TEST_MP_IMPL', 'multiprocessing'))

print('module-level code runs as', __name__, flush=True)


class Payload:
    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f'Payload({self.value!r})'


def work(conn, payload):
    main = sys.modules['__main__']
    conn.send(
        (
            __name__,
            main is sys.modules.get('__mp_main__'),
            type(payload).__module__,
            payload,
            mp.current_process().name,
        )
    )
    conn.close()


if __name__ == '__main__':
    ctx = mp.get_context(sys.argv[1] if len(sys.argv) > 1 else 'spawn')
    a, b = ctx.Pipe()
    p = ctx.Process(target=work, args=(b, Payload([1, 2])), name='worker')
    p.start()
    b.close()
    print('child reports', a.recv() if a.poll(30) else 'nothing', flush=True)
    p.join(30)
    a.close()
    print('exitcode', p.exitcode, flush=True)
