"""Fix: keep only picklable state on the Process; use module-level functions."""
import multiprocessing as mp


def shout(s):
    return s.upper()


class Shout:
    def __init__(self):
        self.transform = shout                 # pickled by reference

    def run(self):
        print('child:', self.transform('hello'))


class ForkWorker(Shout, mp.get_context('fork').Process):
    def __init__(self):
        mp.get_context('fork').Process.__init__(self)
        Shout.__init__(self)


class SpawnWorker(Shout, mp.get_context('spawn').Process):
    def __init__(self):
        mp.get_context('spawn').Process.__init__(self)
        Shout.__init__(self)


if __name__ == '__main__':
    for cls in (ForkWorker, SpawnWorker):
        w = cls()
        w.start()
        w.join(5)
        print(cls.__name__, 'exitcode', w.exitcode)
