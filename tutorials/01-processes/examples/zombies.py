"""A finished child stays a zombie until its parent reaps it (Linux: reads /proc)."""
import time
import multiprocessing as mp


def state(pid):
    """The one-letter state the kernel reports for pid, or None if it is gone."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except FileNotFoundError:
        return None


def quick():
    pass


if __name__ == '__main__':
    p = mp.Process(target=quick)
    p.start()
    deadline = time.monotonic() + 10
    while state(p.pid) != 'Z' and time.monotonic() < deadline:
        time.sleep(0.01)      # wait (bounded) until the child has exited
    print('child has exited, kernel state:', state(p.pid))   # Z = zombie
    print('active_children():', mp.active_children())        # reaps it
    print('kernel state now:', state(p.pid))                 # None = gone
    print('exitcode:', p.exitcode)
