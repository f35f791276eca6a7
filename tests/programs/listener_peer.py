"""A plain stdlib Listener or Client, to run under another Python version.

    python listener_peer.py listen KEY        # KEY is text or '-' for none
    python listener_peer.py connect PORT KEY

``listen`` binds 127.0.0.1 on a free port, prints ``port N``, accepts one
connection, echoes one object (tagged with its Python version) and one bytes
message reversed.  ``connect`` does the client half against PORT and prints
what it got.  An AuthenticationError is printed as ``auth-error: ...``
(exit code 0): the test decides whether that was expected.
"""

import sys
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener

TIMEOUT = 20


def key(text):
    return None if text == '-' else text.encode()


def main():
    version = '%d.%d' % sys.version_info[:2]
    try:
        if sys.argv[1] == 'listen':
            with Listener(('127.0.0.1', 0), authkey=key(sys.argv[2])) as listener:
                print('port', listener.address[1], flush=True)
                with listener.accept() as conn:
                    if not conn.poll(TIMEOUT):
                        print('timeout', flush=True)
                        return
                    obj = conn.recv()
                    conn.send(('echo', obj, version))
                    if conn.poll(TIMEOUT):
                        conn.send_bytes(conn.recv_bytes()[::-1])
            print('done', flush=True)
        else:
            port = int(sys.argv[2])
            with Client(('127.0.0.1', port), authkey=key(sys.argv[3])) as conn:
                conn.send({'from': version, 'data': [1, 2, 3]})
                if conn.poll(TIMEOUT):
                    print('got', repr(conn.recv()), flush=True)
                conn.send_bytes(b'abc')
                if conn.poll(TIMEOUT):
                    print('bytes', repr(conn.recv_bytes()), flush=True)
            print('done', flush=True)
    except AuthenticationError as e:
        print('auth-error:', e, flush=True)


if __name__ == '__main__':
    main()
