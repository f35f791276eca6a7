"""Fix: a close() that only acts in its own process; pass input as data."""
import io
import os
import sys
import multiprocessing as mp


class SafeInput(io.StringIO):
    def __init__(self, text):
        super().__init__(text)
        self._owner = os.getpid()

    def close(self):
        if os.getpid() == self._owner:     # a forked copy does nothing
            print('close() called in the parent', flush=True)
        super().close()


def child(lines):
    print('child got its input as an argument:', lines)


if __name__ == '__main__':
    sys.stdin = SafeInput('line 1\nline 2\n')
    lines = sys.stdin.readlines()          # read in the parent ...
    p = mp.get_context('fork').Process(target=child, args=(lines,))
    p.start()                              # ... and hand it over
    p.join(5)
    sys.stdin.close()
