"""Both sides send a big message before reading: nobody ever reads.

A pipe holds only a limited number of bytes in the kernel.  When it is full,
send_bytes() blocks until the other side reads.  If both sides send first and
read later, both block forever.  The parent sends from a helper thread so
that it can notice the stall with join(timeout) instead of hanging, and then
breaks the deadlock by reading.
"""
import threading
import multiprocessing as mp

BIG = 4 * 1024 * 1024            # far more than any pipe buffer


def child(conn, unused):
    unused.close()
    conn.send_bytes(b'c' * BIG)  # blocks until the parent reads
    data = conn.recv_bytes()
    conn.close()
    assert len(data) == BIG


if __name__ == '__main__':
    a, b = mp.Pipe()
    p = mp.Process(target=child, args=(b, a))
    p.start()
    b.close()

    sender = threading.Thread(target=a.send_bytes, args=(b'p' * BIG,))
    sender.start()
    sender.join(timeout=0.5)
    print('parent still stuck in send_bytes after 0.5 s:', sender.is_alive())

    # Break the deadlock: read the child's message, which lets the child
    # reach its recv_bytes(), which drains our message.
    print('parent received', len(a.recv_bytes()), 'bytes')
    sender.join(timeout=10)
    print('parent send finished:', not sender.is_alive())
    p.join(timeout=10)
    print('child exit code:', p.exitcode)
    a.close()
