"""Fix: everything that starts processes goes under the guard."""
import multiprocessing as mp


def f():
    print('child: hello')


if __name__ == '__main__':
    ctx = mp.get_context('spawn')
    p = ctx.Process(target=f)
    p.start()
    p.join(10)
    print('exitcode:', p.exitcode)
