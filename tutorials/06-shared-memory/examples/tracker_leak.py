"""A program dies holding a named block: with and without the tracker."""

import multiprocessing as mp
import os
import subprocess
import sys
import textwrap

DOOMED = textwrap.dedent("""
    import os, sys
    shared_memory = __import__(sys.argv[1] + '.shared_memory',
                               fromlist=['SharedMemory'])
    options = {} if sys.argv[2] == 'tracked' else {'track': False}
    block = shared_memory.SharedMemory(create=True, size=1024, **options)
    print(block.name, flush=True)
    os.kill(os.getpid(), 9)     # killed before it could unlink()
""")


def left_behind(how):
    # mp.__name__ is 'teachmp' under `python -m teachmp run`: the doomed
    # program uses the same implementation as this one.
    doomed = subprocess.run([sys.executable, '-c', DOOMED, mp.__name__, how],
                            capture_output=True, text=True, timeout=30)
    # run() returns once every holder of the program's stderr is gone,
    # the tracker included: it has done its work by now.
    path = '/dev/shm/' + doomed.stdout.strip().lstrip('/')
    if os.path.exists(path):
        os.unlink(path)         # tidy up after the demonstration
        return True
    return False


if __name__ == '__main__':
    print('tracked block left in /dev/shm:', left_behind('tracked'))
    if sys.version_info >= (3, 13):     # track=False is new in 3.13
        print('untracked block left in /dev/shm:', left_behind('untracked'))
