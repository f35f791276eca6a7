"""Guideline: join finished processes.  Until then the child is a zombie."""
import os
import multiprocessing as mp


def state(pid):
    """The process state letter from /proc (Linux): R, S, Z ..."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except FileNotFoundError:
        return 'gone'


if __name__ == '__main__':
    p = mp.Process(target=print, args=('child: done',))
    p.start()
    # Wait until the child has exited, WITHOUT collecting its exit status.
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    print('child state before join:', state(p.pid))
    # ... the parent goes on with other work and never joins p ...
    print('child state a little later:', state(p.pid))
    print('exitcode known to the parent:', p.exitcode)
