"""Subclassing Process: override run(); the child works on a *copy* of the object."""
import multiprocessing as mp


class Countdown(mp.Process):
    def __init__(self, start_at):
        super().__init__()    # always call it: it sets up name, daemon, ...
        self.start_at = start_at
        self.result = None

    def run(self):            # this is what runs in the child
        for i in range(self.start_at, 0, -1):
            print(f'{self.name}: {i}')
        self.result = 'lift-off'
        print(f'{self.name}: result set to {self.result!r} (in the child)')


if __name__ == '__main__':
    c = Countdown(3)
    c.start()
    c.join()
    print('parent sees result =', c.result)   # still None: the change stayed in the child
    print('exitcode =', c.exitcode)
