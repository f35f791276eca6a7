"""A Listener in the parent, a Client in a child process: two unrelated ends."""
import multiprocessing as mp
from array import array
from multiprocessing.connection import Client, Listener

SECRET = b'not a real secret'


def client(address):
    with Client(address, authkey=SECRET) as conn:
        conn.send({'hello': 'from the client'})   # any picklable object
        conn.send_bytes(b'raw bytes, no pickle')
        conn.send_bytes(array('i', [42, 1729]))    # anything with a buffer
        reply = conn.recv()
        conn.send('the client got %r' % reply)    # printing is left to the parent


if __name__ == '__main__':
    # Port 0: the operating system picks a free port; .address tells which.
    with Listener(('127.0.0.1', 0), authkey=SECRET) as listener:
        host, port = listener.address
        print('listening on', host, 'port chosen:', port != 0)
        child = mp.Process(target=client, args=(listener.address,))
        child.start()
        with listener.accept() as conn:           # handshake happens in here
            print('accepted a client from', listener.last_accepted[0])
            print('server got:', conn.recv())
            print('server got:', conn.recv_bytes())
            numbers = array('i', [0, 0])
            size = conn.recv_bytes_into(numbers)
            print('server got:', size, 'bytes ->', numbers)
            conn.send('thanks, bye')
            print(conn.recv())
        child.join()
    print('child exit code:', child.exitcode)
