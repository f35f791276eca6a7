"""Fix: join() (or active_children()) collects the exit status."""
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
    p = mp.Process(target=print, args=('child 1: done',))
    p.start()
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    print('child 1 before join:', state(p.pid))
    p.join()
    print('child 1 after join:', state(p.pid), 'exitcode', p.exitcode)

    q = mp.Process(target=print, args=('child 2: done',))
    q.start()
    os.waitid(os.P_PID, q.pid, os.WEXITED | os.WNOWAIT)
    print('children still running:', mp.active_children())   # reaps q
    print('child 2 after active_children():', state(q.pid), 'exitcode', q.exitcode)
