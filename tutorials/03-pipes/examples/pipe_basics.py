"""A parent and a child talk over one duplex Pipe.

The child answers every question it receives.  When the parent closes its
end, the child's recv() raises EOFError and the child stops.
"""
import multiprocessing as mp


def answer(conn, unused_end):
    # With the fork start method the child inherits a copy of *every* fd the
    # parent had, the parent's end included.  Close it, or the child would
    # keep the pipe open itself and never see EOF.
    unused_end.close()
    while True:
        try:
            question = conn.recv()
        except EOFError:          # the parent closed its end: we are done
            break
        conn.send({'question': question, 'length': len(question)})
    conn.close()


if __name__ == '__main__':
    parent_end, child_end = mp.Pipe()          # duplex=True by default
    print(type(parent_end).__name__, parent_end.readable, parent_end.writable)

    p = mp.Process(target=answer, args=(child_end, parent_end))
    p.start()
    child_end.close()                          # the child has its own copy

    for q in ['spam', (1, 2, 3), b'raw bytes']:
        parent_end.send(q)
        print('reply:', parent_end.recv())

    parent_end.close()                         # the child's recv() -> EOFError
    p.join(timeout=10)
    print('child exit code:', p.exitcode)
