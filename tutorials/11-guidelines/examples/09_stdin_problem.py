"""Guideline: beware of replacing sys.stdin with a file-like object."""
import io
import os
import sys
import multiprocessing as mp


class NoisyInput(io.StringIO):
    """A stand-in for stdin whose close() has a visible side effect."""

    def __init__(self, text):
        super().__init__(text)
        self._owner = os.getpid()

    def close(self):
        where = 'the parent' if os.getpid() == self._owner else 'a child'
        print('close() called in', where, flush=True)
        super().close()


def child():
    print('child reads from stdin:', repr(sys.stdin.read()))


if __name__ == '__main__':
    sys.stdin = NoisyInput('line 1\nline 2\n')
    p = mp.get_context('fork').Process(target=child)
    p.start()
    p.join(5)
    print('parent reads from stdin:', repr(sys.stdin.read()))
