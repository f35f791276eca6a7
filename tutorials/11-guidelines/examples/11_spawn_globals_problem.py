"""Spawn rule: a global changed at run time is not what a spawned child sees."""
import multiprocessing as mp

MODE = 'default'


def show():
    print('child sees MODE =', MODE)


if __name__ == '__main__':
    MODE = 'verbose'         # changed after import, in the parent only
    for method in ('fork', 'spawn'):
        p = mp.get_context(method).Process(target=show)
        print(method + ':', end=' ', flush=True)
        p.start()
        p.join(5)
