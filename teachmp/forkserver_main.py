"""The fork server's own process: its loop, and the wire both sides speak.

``teachmp.forkserver`` is the parent's side: it starts this process and asks
it for children.  This module is what runs *in* the server (``main``), plus
the few helpers both sides use to talk over the Unix socket.

The server is one loop over three descriptors (``selectors``):

* the listening socket: a parent wants a child.  ``_serve_request``
  authenticates it (HMAC, both directions) before reading anything else,
  receives the child's two pipe ends and its descriptors (``recv_fds``,
  ``SCM_RIGHTS``), forks, and writes the child's pid into the sentinel pipe
  (or, if the fork failed, minus its errno: the server itself carries on);
* the read end of a ``SIGCHLD`` wake-up pipe (``signal.set_wakeup_fd``): a
  child ended.  ``_reap`` collects every finished child with ``waitpid`` and
  writes its exit code into its sentinel pipe, since the parent, not being
  the child's parent, cannot ``waitpid`` it;
* the "alive" pipe: EOF there means the parent is gone, and so the server
  exits.

A forked child (``_run_child``) puts the signals back, reads the preparation
data and the ``Process`` from its data pipe, as a spawned child does, and
runs it.  The modules it needs were imported once, before the first fork
(``_import_the_library``, ``_preload``): that is what makes a forkserver
start cheaper than a spawn.
"""

import array
import os
import pickle
import selectors
import signal
import socket
import struct
import sys
import warnings

from teachmp import auth, process, spawn, util
from teachmp.errors import AuthenticationError

MAXFDS_TO_SEND = 256
SIGNED_STRUCT = struct.Struct('q')      # a pid or an exit code, 8 bytes
HANDSHAKE_TIMEOUT = 5.0                 # a silent client must not stall the server

_inherited_fds = None   # in a forked child: the fds that came with it


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
    """Write one pid or exit code (8 bytes) into a sentinel pipe."""
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
        except Exception as e:
            if config['on_error'] == 'fail':
                raise
            if config['on_error'] == 'warn':
                what = '__main__' if name == '__main__' else 'module %r' % name
                warnings.warn('Failed to preload %s: %s' % (what, e),
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
    try:
        pid = os.fork()
    except OSError as exc:      # RLIMIT_NPROC, no memory: say why, serve on
        write_signed(child_w, -exc.errno)       # a pid is never negative
        util.close_fds(child_r, child_w, *fds)
        return
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
    global _inherited_fds
    _inherited_fds = fds
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
