# Example session from the Python documentation, "multiprocessing --
# Process-based parallelism" (https://docs.python.org/3/library/multiprocessing.html),
# section "Managers", **Using a remote manager**: the server for one shared
# queue (QueueManager, get_server().serve_forever()) and the two clients
# (put('hello'), then get()).  SERVER, CLIENT_1 and CLIENT_2 are the docs'
# sessions verbatim; the rest is a driver that runs each as a doctest in a
# program of its own (on the same implementation as itself), one client after
# the other, then stops the server, and prints what each printed.  The
# sessions use ('', 50000) and ('foo.bar.org', 50000): the driver only lets
# each program's socket layer move them to 127.0.0.1 and a free port (see
# _redirect_port).  (The docs' fourth session, a local Worker process putting
# 'local hello', needs a client other than the docs' to be checked.)
# example: timeout 60
# Code examples in the Python documentation are licensed under the
# Zero-Clause BSD License (https://docs.python.org/3/license.html).

SERVER = r'''
   >>> from multiprocessing.managers import BaseManager
   >>> from queue import Queue
   >>> queue = Queue()
   >>> class QueueManager(BaseManager): pass
   >>> QueueManager.register('get_queue', callable=lambda:queue)
   >>> m = QueueManager(address=('', 50000), authkey=b'abracadabra')
   >>> s = m.get_server()
   >>> s.serve_forever()
'''

CLIENT_1 = r'''
   >>> from multiprocessing.managers import BaseManager
   >>> class QueueManager(BaseManager): pass
   >>> QueueManager.register('get_queue')
   >>> m = QueueManager(address=('foo.bar.org', 50000), authkey=b'abracadabra')
   >>> m.connect()
   >>> queue = m.get_queue()
   >>> queue.put('hello')
'''

CLIENT_2 = r'''
   >>> from multiprocessing.managers import BaseManager
   >>> class QueueManager(BaseManager): pass
   >>> QueueManager.register('get_queue')
   >>> m = QueueManager(address=('foo.bar.org', 50000), authkey=b'abracadabra')
   >>> m.connect()
   >>> queue = m.get_queue()
   >>> queue.get()
   'hello'
'''

# -- driver (not from the docs) ----------------------------------------------

import os
import socket
import subprocess
import sys
import tempfile
import time

DOC_PORT = 50000
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


def _run_doctest(name, text):
    import doctest
    # sphinx.ext.doctest's default flags
    flags = (doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL
             | doctest.DONT_ACCEPT_TRUE_FOR_1)
    runner = doctest.DocTestRunner(verbose=False, optionflags=flags)
    runner.run(doctest.DocTestParser().get_doctest(text, {}, name, __file__, 0))
    result = runner.summarize(verbose=False)
    print(f'{result.attempted} examples, {result.failed} failed')
    return 1 if result.failed else 0


def main():
    with tempfile.TemporaryDirectory() as tmp:
        port_file = os.path.join(tmp, 'port')
        server = _start('server', port_file)
        try:
            deadline = time.monotonic() + 30
            while not os.path.exists(port_file):
                if server.poll() is not None or time.monotonic() > deadline:
                    print('the server did not start listening')
                    return 1
                time.sleep(0.02)
            with open(port_file) as f:
                port = int(f.read())
            codes = [_finish('client 1', _start('client_1', port), 30),
                     _finish('client 2', _start('client_2', port), 30)]
            alive = server.poll() is None
            print('server still serving after the clients:', alive)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
            out, err = server.communicate()
        # serve_forever() never returns: the server printed nothing
        sys.stdout.write(f'--- server ---\n{out}')
        sys.stderr.write(err)
    return 0 if codes == [0, 0] and alive else 1


if __name__ == '__main__':
    if sys.argv[1:2] == ['server']:
        _redirect_port(port_file=sys.argv[2])
        sys.exit(_run_doctest('server', SERVER))
    elif sys.argv[1:2] in (['client_1'], ['client_2']):
        _redirect_port(real_port=int(sys.argv[2]))
        text = CLIENT_1 if sys.argv[1] == 'client_1' else CLIENT_2
        sys.exit(_run_doctest(sys.argv[1], text))
    else:
        sys.exit(main())
