"""Why the parent must close the end of the pipe it does not use.

A one-way pipe only reports end-of-file when *every* copy of its writing end
is closed.  Here the parent forgets its own copy of `writer` at first: after
the child has finished, a plain recv() would block forever.  We ask with
poll(timeout) instead, so the program never hangs.
"""
import multiprocessing as mp


def produce(writer):
    for n in range(3):
        writer.send(n * n)
    writer.close()


if __name__ == '__main__':
    reader, writer = mp.Pipe(duplex=False)     # (read-only, write-only)
    p = mp.Process(target=produce, args=(writer,))
    p.start()
    # Mistake: we should call writer.close() here.

    for _ in range(3):
        print('got', reader.recv())
    p.join(timeout=10)
    print('child finished, exit code', p.exitcode)

    # The child is gone, yet no EOF: our own `writer` still holds the pipe open.
    print('anything to read within 0.2 s?', reader.poll(0.2))

    writer.close()                              # the fix (late)
    print('and after closing our writer?', reader.poll(0.2))
    try:
        reader.recv()
    except EOFError:
        print('recv() raised EOFError: every writer is closed')
    reader.close()
