"""Address families: the shape of the address picks the family."""
import os
from multiprocessing.connection import Client, Listener


def ping(address):
    """Connect to a listener that is already waiting and say hello."""
    return Client(address)


def describe(listener, family):
    conn = ping(listener.address)
    with listener.accept() as server_end, conn:
        conn.send('ping')
        return '%-8s %-12s got %r' % (family, type(listener.address).__name__,
                                      server_end.recv())


if __name__ == '__main__':
    # A (host, port) tuple: TCP.  Port 0 picks a free port.
    with Listener(('127.0.0.1', 0)) as listener:
        print(describe(listener, 'AF_INET'))
        print('  port is a real port:', listener.address[1] > 0)

    # No address at all: a Unix socket file in a private temporary directory.
    listener = Listener(family='AF_UNIX')
    path = listener.address
    print(describe(listener, 'AF_UNIX'))
    print('  socket file exists while listening:', os.path.exists(path))
    listener.close()
    print('  socket file removed by close():', not os.path.exists(path))

    # Linux only: a leading NUL byte names an *abstract* socket (no file).
    with Listener('\0teachmp-tutorial-09') as listener:
        print(describe(listener, 'abstract'))
        print('  address:', listener.address)
