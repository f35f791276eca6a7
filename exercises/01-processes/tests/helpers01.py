"""Functions the chapter 01 tests run in child processes.

They live in a module (not inside a test) so that a child started with the
spawn method can import them by name.
"""
import os
import sys


def act(what, arg=None):
    """Do one thing that decides how the process ends."""
    if what == 'ok':
        return
    if what == 'print':
        print(arg)
        return
    if what == 'exit':
        sys.exit(arg)
    if what == 'raise':
        raise ValueError(arg)
    if what == 'signal':
        os.kill(os.getpid(), arg)
    if what == 'wait':                # block until the other end sends
        arg.recv()
        return
    raise AssertionError(f'unknown action {what!r}')


def rendezvous(i, started, gate):
    """Say "I am running", then wait for the go signal."""
    started.send(i)
    gate.recv()


def releaser(n, started_r, gates, report):
    """Wait until n workers said they run (at most 5 s each), then let all go."""
    seen = []
    while len(seen) < n and started_r.poll(5):
        msg = started_r.recv()
        if msg == 'stop':
            break
        seen.append(msg)
    for gate in gates:
        gate.send('go')
    report.send(seen)


def read_byte(fd):
    """Block until one byte arrives on a raw file descriptor."""
    os.read(fd, 1)
