"""Fix: pass the lock as an argument; it works with every start method."""
import multiprocessing as mp


def work(lock):
    with lock:
        print('child used the lock it was given')


if __name__ == '__main__':
    for method in ('fork', 'spawn'):
        ctx = mp.get_context(method)
        lock = ctx.Lock()            # same context as the process
        p = ctx.Process(target=work, args=(lock,))
        p.start()
        p.join(5)
        print(method, 'exitcode:', p.exitcode)
