"""Fix: hand the lock to the child when it is created (Process args)."""
import multiprocessing as mp


def work(lock, name):
    with lock:
        print(name, 'holds the inherited lock')


if __name__ == '__main__':
    for ctx in (mp.get_context('fork'), mp.get_context('spawn')):
        lock = ctx.Lock()    # made by the same context as the process
        p = ctx.Process(target=work, args=(lock, ctx.get_start_method()))
        p.start()
        p.join()
    print('exitcode', p.exitcode)
