"""One server, several clients at once: Listener + wait."""
import multiprocessing as mp
from multiprocessing.connection import Client, Listener, wait

SECRET = b'echo service'


def client(address, name, count):
    with Client(address, authkey=SECRET) as conn:
        for i in range(count):
            conn.send('%s #%d' % (name, i))
            assert conn.recv() == ('echo', '%s #%d' % (name, i))
    # leaving the with block closes the connection: the server sees EOF


if __name__ == '__main__':
    names = ['ann', 'bob', 'cy']
    with Listener(('127.0.0.1', 0), authkey=SECRET) as listener:
        children = [mp.Process(target=client, args=(listener.address, name, 3))
                    for name in names]
        for child in children:
            child.start()
        clients = [listener.accept() for _ in children]
        log = []
        while clients:
            for conn in wait(clients, timeout=10):
                try:
                    message = conn.recv()
                except EOFError:                  # that client has gone
                    clients.remove(conn)
                    conn.close()
                    continue
                log.append(message)
                conn.send(('echo', message))
        for child in children:
            child.join()
    print('echoed %d messages' % len(log))
    for message in sorted(log):                   # arrival order varies
        print(' ', message)
    print('exit codes:', [child.exitcode for child in children])
