"""Starting a process twice: an AssertionError, unless Python runs with -O."""
import multiprocessing as mp


def f():
    print('child ran', flush=True)


if __name__ == '__main__':
    p = mp.Process(target=f)
    p.start()
    p.join()
    try:
        p.start()
        p.join()
        print('started twice!')
    except AssertionError as e:
        print('AssertionError:', e)
