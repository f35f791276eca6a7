"""Which file descriptors a child gets under fork and under spawn.

The parent opens a pipe with os.pipe() and gives the child only the NUMBER
of its write end. A forked child has a copy of every open descriptor, so the
number still means the same pipe. A spawned child is a new program: Python
marks descriptors non-inheritable (PEP 446), so the number means nothing
there. A multiprocessing Connection, in contrast, is sent to a spawned
child on purpose and arrives working.
"""
import multiprocessing as mp
import os


def same_pipe(fd, inode):
    try:
        return os.fstat(fd).st_ino == inode
    except OSError:
        return False


def use_number(method, fd, inode):
    print(f"{method:>5} child: that fd number is the parent's pipe? {same_pipe(fd, inode)}",
          flush=True)


def use_connection(method, conn):
    conn.send(f'hello from the {method} child')
    conn.close()


if __name__ == '__main__':
    r, w = os.pipe()
    inode = os.fstat(w).st_ino
    for method in ('fork', 'spawn'):
        ctx = mp.get_context(method)
        p = ctx.Process(target=use_number, args=(method, w, inode))
        p.start()
        p.join()

    for method in ('fork', 'spawn'):
        ctx = mp.get_context(method)
        receiver, sender = ctx.Pipe(duplex=False)
        p = ctx.Process(target=use_connection, args=(method, sender))
        p.start()
        sender.close()
        print(f'parent got: {receiver.recv()!r}', flush=True)
        p.join()
        receiver.close()
    os.close(r)
    os.close(w)
