"""A worker that is already running receives a Connection through a queue.

The worker was started before the pipe existed, so it cannot inherit the
pipe's descriptor: the descriptor itself has to travel, and the kernel
copies it (SCM_RIGHTS) when the worker unpickles the Connection.
"""
import multiprocessing as mp


def worker(inbox):
    reply = inbox.get()             # a Connection, made after we started
    reply.send('an answer on a pipe you made after I started')
    reply.close()


if __name__ == '__main__':
    inbox = mp.Queue()
    p = mp.Process(target=worker, args=(inbox,))
    p.start()

    mine, theirs = mp.Pipe()
    inbox.put(theirs)               # pickled here; the fd waits to be fetched
    print('worker says:', mine.recv())
    p.join()
    theirs.close()                  # the worker has its own copy now
    mine.close()
    print('exit code:', p.exitcode)
