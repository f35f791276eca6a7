"""recv() unpickles, and unpickling can run code chosen by the sender.

The "payload" here only prints a line -- but it could call anything.
"""
import multiprocessing as mp
from multiprocessing.connection import Client, Listener

SECRET = b'the real key'


class Innocent:
    """Looks like data; its pickle says "call print(...) to rebuild me"."""

    def __reduce__(self):
        return (print, ('!!! this line was printed BY UNPICKLING, in the receiver',))


def stranger(address, wait_for_reply):
    with Client(address) as conn:                 # no authkey
        conn.send(Innocent())
        if wait_for_reply:                        # read the challenge, then
            conn.recv_bytes()                     # the verdict, so that no
            conn.recv_bytes()                     # side closes too early


def serve_once(authkey, wait_for_reply):
    with Listener(('127.0.0.1', 0), authkey=authkey) as listener:
        child = mp.Process(target=stranger, args=(listener.address, wait_for_reply))
        child.start()
        try:
            with listener.accept() as conn:
                print('recv() returned', conn.recv())
        except mp.AuthenticationError as exc:
            print('accept() refused the stranger:', type(exc).__name__)
        child.join()


if __name__ == '__main__':
    print('-- a Listener without authkey --')
    serve_once(None, False)
    print('-- the same stranger, Listener with authkey --')
    serve_once(SECRET, True)
    print('nothing the stranger sent was unpickled')
