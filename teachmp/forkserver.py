"""The forkserver start method: one clean process that forks all the others.

``fork`` is fast but copies whatever the parent is doing, including threads
that hold locks; ``spawn`` is safe but starts a whole interpreter per child.
A *fork server* gets both: a fresh interpreter, started once (the way spawn
starts a child), which imports the *preload* modules and then waits.  Each
time the program starts a process, the server forks a copy of itself.  The
copy is a clean, single-threaded process with the modules already imported,
so starting it costs a fork, not an interpreter start-up.

Who talks to whom:

* The parent makes a Unix socket (a file in a private temporary directory)
  and starts the server with ``os.posix_spawn``, handing it the listening
  socket, the read end of an "alive" pipe and a config pipe (authkey,
  preload list, ``sys.path``, main module).  The parent keeps the write end
  of the alive pipe: when the parent ends, however it ends, the server reads
  EOF there and exits.
* To start a child the parent connects to the socket, and both sides prove
  they know the authkey (the HMAC handshake of ``teachmp.auth``) before the
  server reads anything else: anyone on the machine can ``connect()`` to a
  socket file, and the server must not fork for a stranger.
* The parent then sends file descriptors with ``SCM_RIGHTS`` ancillary data
  (``sendmsg``): the child's ends of two fresh pipes and every descriptor
  the pickled ``Process`` needs.  The kernel installs copies in the server,
  under new numbers; a forked child inherits them.
* The server forks.  It writes the child's pid into the sentinel pipe at
  once, and its exit status when it reaps it (``SIGCHLD``): the parent is
  not the child's parent, so it cannot ``waitpid``; it reads the pipe.
* The child reads the preparation data and the ``Process`` from the data
  pipe (exactly as a spawned child does, ``teachmp.spawn``) and runs it.

The server ends when the parent ends; a killed server is noticed on the next
start (the connection is refused) and replaced by a new one.
"""

import array
import os
import pickle
import selectors
import signal
import socket
import struct
import sys
import threading
import warnings

from teachmp import auth, process, spawn, util
from teachmp.errors import AuthenticationError

MAXFDS_TO_SEND = 256
SIGNED_STRUCT = struct.Struct('q')      # a pid or an exit code, 8 bytes
HANDSHAKE_TIMEOUT = 5.0                 # a silent client must not stall the server

# Preloading '__main__' was dead code in the stdlib for eleven years (the
# server was never told the main script's path, gh-126631) and works since
# 3.13.8 and 3.14.  Before that, every child runs the script as __mp_main__
# itself, exactly as under spawn; follow the running Python.
_PRELOADS_MAIN = sys.version_info >= (3, 13, 8)


class ForkServer:
    """The parent's handle on its fork server (one per process, ``_forkserver``)."""

    def __init__(self):
        self._address = None        # path of the Unix socket
        self._alive_fd = None       # write end of the alive pipe
        self._authkey = None
        self._pid = None
        self._owner = None          # pid of the process that started it
        self._inherited_fds = None  # in a child: the fds that came with it
        self._lock = threading.Lock()
        self._preload_modules = ['__main__']
        self._preload_on_error = 'ignore'

    def __repr__(self):
        state = 'pid=%s' % self._pid if self._pid else 'not started'
        return '<ForkServer %s preload=%r>' % (state, self._preload_modules)

    def set_forkserver_preload(self, modules_names, on_error='ignore'):
        """Set the modules the server imports before it forks children."""
        if not all(type(mod) is str for mod in modules_names):
            raise TypeError('module_names must be a list of strings')
        if on_error not in ('ignore', 'warn', 'fail'):
            raise ValueError("on_error must be 'ignore', 'warn' or 'fail', "
                             'not %r' % (on_error,))
        self._preload_modules = list(modules_names)
        self._preload_on_error = on_error

    def get_inherited_fds(self):
        """In a forkserver child: the fds it received; elsewhere None."""
        return self._inherited_fds

    def ensure_running(self):
        """Start the server unless one started by this process is alive."""
        with self._lock:
            if self._pid is not None:
                if self._owner == os.getpid() and self._server_alive():
                    return
                self._forget()
            self._start()

    def _stop(self):
        """Stop the server and wait for it (tests use this, as the stdlib's do)."""
        with self._lock:
            if self._pid is None or self._owner != os.getpid():
                return
            os.close(self._alive_fd)    # EOF on the alive pipe: "please exit"
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass
            _remove_socket(self._address)
            self._address = self._alive_fd = self._pid = self._authkey = None

    def _server_alive(self):
        try:
            pid, _ = os.waitpid(self._pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return pid == 0

    def _forget(self):
        # The server died (or we are a fork child, whose copy of the state
        # describes our parent's server): drop it and start afresh.
        if self._owner == os.getpid():
            util.close_fds(self._alive_fd)
            _remove_socket(self._address)
        self._address = self._alive_fd = self._pid = self._authkey = None

    def _start(self):
        """Spawn the server: a fresh interpreter running ``main`` below."""
        authkey = os.urandom(32)
        from teachmp.listener import arbitrary_address
        address = arbitrary_address('AF_UNIX')  # in this process's temp dir
        listener = socket.socket(socket.AF_UNIX)
        # The server inherits this descriptor and its flags: blocking, even
        # if this program set socket.setdefaulttimeout().
        listener.setblocking(True)
        alive_r, alive_w = os.pipe()
        config_r, config_w = os.pipe()
        try:
            listener.bind(address)
            os.chmod(address, 0o600)
            listener.listen()
            argv = _server_command_line(listener.fileno(), alive_r, config_r)
            passed = [listener.fileno(), alive_r, config_r]
            actions = [(os.POSIX_SPAWN_DUP2, fd, fd) for fd in passed]
            pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        except BaseException:
            util.close_fds(alive_w, config_w)
            _remove_socket(address)
            raise
        finally:
            listener.close()
            util.close_fds(alive_r, config_r)
        with open(config_w, 'wb') as f:
            pickle.dump(self._server_config(authkey), f)
        self._address, self._alive_fd, self._authkey = address, alive_w, authkey
        self._pid, self._owner = pid, os.getpid()

    def _server_config(self, authkey):
        data = spawn.get_preparation_data('ForkServer')
        main_path = data.get('init_main_from_path') if _PRELOADS_MAIN else None
        return dict(authkey=authkey, preload=self._preload_modules,
                    on_error=self._preload_on_error, main_path=main_path,
                    sys_path=data['sys_path'], sys_argv=data['sys_argv'],
                    dir=data['dir'],
                    alias_stdlib=data['alias_stdlib'])

    def connect_to_new_process(self, fds):
        """Ask the server for a child; return (sentinel_r, data_w).

        ``fds`` are the descriptors the child must receive (it finds them in
        ``get_inherited_fds()``, in this order).
        """
        if len(fds) + 2 > MAXFDS_TO_SEND:
            raise ValueError('too many fds')
        self.ensure_running()
        try:
            client = self._connect()
        except (ConnectionError, EOFError, FileNotFoundError):
            # The server died since we last used it (killed, say): nothing
            # was sent yet, so start a new one and ask again, once.
            with self._lock:
                self._forget()
                self._start()
            client = self._connect()
        try:
            # pid, then exit code, from the server; pickles to the child
            # (later: alive?).  two_pipes leaks nothing if the second fails.
            parent_r, child_w, child_r, parent_w = util.two_pipes()
        except BaseException:
            client.close()
            raise
        try:
            with client:
                send_fds(client, [child_r, child_w] + list(fds))
        except BaseException:
            util.close_fds(parent_r, parent_w)
            raise
        finally:
            util.close_fds(child_r, child_w)
        return parent_r, parent_w

    def _connect(self):
        """Connect to the server and pass the handshake, both directions."""
        client = socket.socket(socket.AF_UNIX)
        try:
            client.settimeout(HANDSHAKE_TIMEOUT)
            client.connect(self._address)
            channel = _Channel(client)
            auth.answer_challenge(channel, self._authkey)
            auth.deliver_challenge(channel, self._authkey)
        except BaseException:
            client.close()
            raise
        return client


def _remove_socket(address):
    if address is not None:
        try:
            os.unlink(address)
        except OSError:
            pass


def _server_command_line(listener_fd, alive_fd, config_fd):
    home = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ('import sys; sys.path.insert(0, %r); from teachmp.forkserver '
            'import main; main(%d, %d, %d)' % (home, listener_fd, alive_fd,
                                              config_fd))
    return [spawn.get_executable(), *spawn._interpreter_flags(), '-c', code]


# -- moving bytes and descriptors ------------------------------------------


class _Channel:
    """Length-prefixed messages over a socket, enough for ``teachmp.auth``."""

    def __init__(self, sock):
        self._sock = sock

    def send_bytes(self, data):
        self._sock.sendall(struct.pack('!i', len(data)) + data)

    def recv_bytes(self, maxlength):
        size, = struct.unpack('!i', _recv_exact(self._sock, 4))
        if not 0 <= size <= maxlength:
            raise AuthenticationError('handshake message too long')
        return _recv_exact(self._sock, size)


def _recv_exact(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError('peer closed the connection')
        data += chunk
    return data


def send_fds(sock, fds):
    """Send ``fds`` as SCM_RIGHTS ancillary data (the kernel copies them)."""
    payload = SIGNED_STRUCT.pack(len(fds))
    sock.sendmsg([payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                              array.array('i', fds))])


def recv_fds(sock, maxfds):
    """Receive the descriptors ``send_fds`` sent; they arrive renumbered."""
    fds = array.array('i')
    size = socket.CMSG_SPACE(maxfds * fds.itemsize)
    msg, ancdata, _, _ = sock.recvmsg(SIGNED_STRUCT.size, size)
    for level, kind, data in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
    if not msg or len(fds) != SIGNED_STRUCT.unpack(msg)[0]:
        util.close_fds(*fds)
        raise RuntimeError('received %d fds, expected another number' % len(fds))
    return list(fds)


def write_signed(fd, n):
    os.write(fd, SIGNED_STRUCT.pack(n))


def read_signed(fd):
    """Read one pid or exit code from the server; EOFError if it is gone."""
    data = b''
    while len(data) < SIGNED_STRUCT.size:
        chunk = os.read(fd, SIGNED_STRUCT.size - len(data))
        if not chunk:
            raise EOFError('unexpected EOF: the fork server has gone away')
        data += chunk
    return SIGNED_STRUCT.unpack(data)[0]


# -- the server ------------------------------------------------------------


def main(listener_fd, alive_fd, config_fd):
    """Entry point of the server process (see the module docstring)."""
    with open(config_fd, 'rb') as f:
        config = pickle.load(f)
    _import_the_library()
    _preload(config)
    sig_r, sig_w = os.pipe()
    os.set_blocking(sig_w, False)
    # Ctrl-C in a terminal reaches the whole process group: the parent
    # decides what happens, the server carries on until the parent is gone.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, lambda *args: None)
    signal.set_wakeup_fd(sig_w)     # a SIGCHLD wakes the select below
    listener = socket.socket(fileno=listener_fd)
    children = {}                   # pid -> write end of its sentinel pipe
    with selectors.DefaultSelector() as sel:
        for fd in (listener_fd, alive_fd, sig_r):
            sel.register(fd, selectors.EVENT_READ)
        while True:
            ready = {key.fd for key, _ in sel.select()}
            if alive_fd in ready:
                os._exit(0)     # the parent is gone, so are we
            if sig_r in ready:
                while os.read(sig_r, 512) == 512:
                    pass
                _reap(children)
            if listener_fd in ready:
                server_fds = (listener_fd, alive_fd, sig_r, sig_w, sel.fileno())
                _serve_request(listener, config['authkey'], children, server_fds)


def _import_the_library():
    # Every child unpickles a Process, watches pipes, and usually makes a
    # Connection or a Queue: import those parts of teachmp (and what they
    # import, such as tempfile) once here, instead of once per child.
    from teachmp import connection, listener, queues, reduction  # noqa: F401


def _preload(config):
    """Import what every child will need, once, before the first fork."""
    if config['alias_stdlib']:
        from teachmp import runner
        runner.install_alias()
    sys.path[:] = config['sys_path']
    sys.argv[:] = config['sys_argv']
    os.chdir(config['dir'])
    me = process.current_process()
    for name in config['preload']:
        # The main script is run as __mp_main__ with spawn's guard rules:
        # starting a process at its top level is the bootstrapping error.
        me._inheriting = True
        try:
            if name != '__main__':
                __import__(name)
            elif config['main_path'] is not None:
                spawn.import_main_path(config['main_path'])
        except Exception:
            if config['on_error'] == 'fail':
                raise
            if config['on_error'] == 'warn':
                warnings.warn('failed to preload module %r' % name,
                              ImportWarning, stacklevel=1)
        finally:
            del me._inheriting


def _reap(children):
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        fd = children.pop(pid, None)
        if fd is not None:
            try:
                write_signed(fd, os.waitstatus_to_exitcode(status))
            except BrokenPipeError:
                pass        # the parent stopped listening
            os.close(fd)


def _serve_request(listener, authkey, children, server_fds):
    """Authenticate one client, take its fds, fork one child for it."""
    try:
        conn, _ = listener.accept()
    except OSError:
        return
    with conn:
        conn.settimeout(HANDSHAKE_TIMEOUT)
        try:
            channel = _Channel(conn)
            auth.deliver_challenge(channel, authkey)    # before anything else
            auth.answer_challenge(channel, authkey)
            child_r, child_w, *fds = recv_fds(conn, MAXFDS_TO_SEND)
        except (OSError, EOFError, AuthenticationError, RuntimeError, ValueError):
            return      # a stranger, or a client that went away: no fork
    sys.stdout.flush()      # a buffer copied into the child is printed twice
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            util.close_fds(child_w, *children.values(), *server_fds)
            listener.detach()
            code = _run_child(child_r, fds)
        finally:
            os._exit(code)
    util.close_fds(child_r, *fds)
    children[pid] = child_w
    write_signed(child_w, pid)


def _run_child(data_fd, fds):
    """In the forked child: become the requested process (as spawn.main)."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _forkserver._inherited_fds = fds
    me = process.current_process()
    me._inheriting = True
    try:
        spawn.prepare(spawn._read_pickle(data_fd))
        process_obj = spawn._read_pickle(data_fd)
    except BaseException:
        # What a spawned interpreter would print before exiting with 1.
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
        return 1
    finally:
        del me._inheriting
    return process_obj._bootstrap(parent_sentinel=data_fd)


def _after_fork(server):
    # A fork child holds a copy of our state and of the alive fd.  Let go
    # of both: the server must end with *this* process, and the child
    # starts a server of its own if it needs one.
    if server._owner is not None and server._owner != os.getpid():
        util.close_fds(server._alive_fd)
        server._address = server._alive_fd = server._pid = None
        server._authkey = server._owner = None


_forkserver = ForkServer()
util.register_after_fork(_forkserver, _after_fork)
ensure_running = _forkserver.ensure_running
get_inherited_fds = _forkserver.get_inherited_fds
connect_to_new_process = _forkserver.connect_to_new_process
set_forkserver_preload = _forkserver.set_forkserver_preload
