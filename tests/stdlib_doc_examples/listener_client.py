# Example programs from the Python documentation, "multiprocessing --
# Process-based parallelism" (https://docs.python.org/3/library/multiprocessing.html),
# section "Listeners and Clients", **Examples**: the server (Listener, sends an
# array('i', [42, 1729])) and the client (recv_bytes_into).  SERVER and CLIENT
# below are verbatim; the rest is a driver that runs each as a program of
# its own (on the same implementation as itself) and prints their output.
# The snippets use the fixed port 6000: the driver only lets each program's
# socket layer move ('localhost', 6000) to a free port (see _redirect_port).
# example: erase (?<=\('127\.0\.0\.1', )\d+(?=\))
# example: timeout 60
# Code examples in the Python documentation are licensed under the
# Zero-Clause BSD License (https://docs.python.org/3/license.html).

SERVER = '''
from multiprocessing.connection import Listener
from array import array

address = ('localhost', 6000)     # family is deduced to be 'AF_INET'

with Listener(address, authkey=b'secret password') as listener:
    with listener.accept() as conn:
        print('connection accepted from', listener.last_accepted)

        conn.send([2.25, None, 'junk', float])

        conn.send_bytes(b'hello')

        conn.send_bytes(array('i', [42, 1729]))
'''

CLIENT = '''
from multiprocessing.connection import Client
from array import array

address = ('localhost', 6000)

with Client(address, authkey=b'secret password') as conn:
    print(conn.recv())                  # => [2.25, None, 'junk', float]

    print(conn.recv_bytes())            # => 'hello'

    arr = array('i', [0, 0, 0, 0, 0])
    print(conn.recv_bytes_into(arr))    # => 8
    print(arr)                          # => array('i', [42, 1729, 0, 0, 0])
'''

# -- driver (not from the docs) ----------------------------------------------

import os
import socket
import subprocess
import sys
import tempfile
import time

DOC_PORT = 6000
DOC_HOSTS = ('localhost', 'foo.bar.org', '')


def _redirect_port(port_file=None, real_port=None):
    """Make this process's sockets use a free port instead of DOC_PORT.

    A listening socket bound to (host, DOC_PORT) is bound to
    ('127.0.0.1', 0) instead, and the port it got is written to *port_file*
    once it listens; a connection to (host, DOC_PORT) goes to
    ('127.0.0.1', real_port).  Nothing else changes.
    """
    moved = set()
    bind, listen, connect = socket.socket.bind, socket.socket.listen, socket.socket.connect
    getaddrinfo = socket.getaddrinfo

    def is_doc(address):
        return (isinstance(address, tuple) and len(address) == 2
                and address[0] in DOC_HOSTS and address[1] == DOC_PORT)

    def new_bind(self, address):
        if is_doc(address):
            moved.add(self.fileno())
            address = ('127.0.0.1', 0)
        return bind(self, address)

    def new_listen(self, *args):
        listen(self, *args)
        if self.fileno() in moved and port_file:
            with open(port_file + '.tmp', 'w') as f:
                f.write(str(self.getsockname()[1]))
            os.rename(port_file + '.tmp', port_file)

    def new_connect(self, address):
        if is_doc(address):
            address = ('127.0.0.1', real_port)
        return connect(self, address)

    def new_getaddrinfo(host, port, *args, **kwargs):
        if host in DOC_HOSTS and port == DOC_PORT:
            host, port = '127.0.0.1', real_port
        return getaddrinfo(host, port, *args, **kwargs)

    socket.socket.bind = new_bind
    socket.socket.listen = new_listen
    socket.socket.connect = new_connect
    socket.getaddrinfo = new_getaddrinfo


def _on_teachmp():
    import multiprocessing
    return 'teachmp' in (getattr(multiprocessing, '__file__', None) or '')


def _start(role, *args):
    argv = [sys.executable]
    if _on_teachmp():
        argv += ['-m', 'teachmp', 'run']
    argv += [os.path.abspath(__file__), role, *map(str, args)]
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(name, proc, timeout):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        print(f'{name}: TIMED OUT')
    sys.stdout.write(f'--- {name} (exit code {proc.returncode}) ---\n{out}')
    sys.stderr.write(err)
    return proc.returncode


def main():
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, 'port')
        server = _start('server', port_file)
        deadline = time.monotonic() + 30
        while not os.path.exists(port_file):
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                _finish('server', server, 10)
                return 1
            time.sleep(0.02)
        with open(port_file) as f:
            port = int(f.read())
        client = _start('client', port)
        codes = [_finish('client', client, 30), _finish('server', server, 30)]
    return 0 if codes == [0, 0] else 1


if __name__ == '__main__':
    if sys.argv[1:2] == ['server']:
        _redirect_port(port_file=sys.argv[2])
        exec(SERVER, {'__name__': '__main__'})
    elif sys.argv[1:2] == ['client']:
        _redirect_port(real_port=int(sys.argv[2]))
        exec(CLIENT, {'__name__': '__main__'})
    else:
        sys.exit(main())
