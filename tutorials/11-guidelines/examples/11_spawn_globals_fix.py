"""Fix: pass the value the child needs as an argument."""
import multiprocessing as mp

MODE = 'default'


def show(mode):
    print('child sees mode =', mode)


if __name__ == '__main__':
    MODE = 'verbose'
    for method in ('fork', 'spawn'):
        p = mp.get_context(method).Process(target=show, args=(MODE,))
        print(method + ':', end=' ', flush=True)
        p.start()
        p.join(5)
