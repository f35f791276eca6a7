# example: skip "needs mp.Lock, which teachmp builds in chapter 05"
"""A lock made by one context, handed to a process of another context.

Objects made by a context belong to its start method. A Lock created by the
fork context may rely on being inherited by fork; the spawn context has to
pickle it instead, and the stdlib (3.11+) refuses, in the parent, at start().
"""
import multiprocessing as mp


def use(lock):
    with lock:
        print('child: got the lock', flush=True)


if __name__ == '__main__':
    fork_ctx = mp.get_context('fork')
    spawn_ctx = mp.get_context('spawn')

    lock = fork_ctx.Lock()
    p = spawn_ctx.Process(target=use, args=(lock,))
    try:
        p.start()
    except RuntimeError as exc:
        print('RuntimeError:', exc)

    lock = spawn_ctx.Lock()                 # same context: fine
    p = spawn_ctx.Process(target=use, args=(lock,))
    p.start()
    p.join()
