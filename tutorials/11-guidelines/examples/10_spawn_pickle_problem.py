"""Spawn rule: the Process object itself is pickled and sent to the child."""
import multiprocessing as mp


class Shout:
    def __init__(self):
        self.transform = lambda s: s.upper()   # fine for fork, cannot pickle

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
        try:
            w.start()
        except Exception as exc:
            print(cls.__name__, 'start() failed; pickling error:',
                  'pickle' in str(exc).lower() or 'lambda' in str(exc))
        else:
            w.join(5)
            print(cls.__name__, 'exitcode', w.exitcode)
