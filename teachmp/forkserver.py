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

This module is the parent's side (``ForkServer``: start the server, ask it
for a child).  What runs in the server, and the helpers both sides use on the
socket, are in ``teachmp.forkserver_main``.
"""

import os
import pickle
import socket
import sys
import threading

from teachmp import auth, forkserver_main, spawn, util
from teachmp.forkserver_main import (  # noqa: F401 (the stdlib's names)
    HANDSHAKE_TIMEOUT, MAXFDS_TO_SEND, SIGNED_STRUCT, _Channel, _recv_exact,
    main, read_signed, recv_fds, send_fds, write_signed)

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
            raise ValueError("on_error must be 'ignore', 'warn', or 'fail', "
                             'not %r' % (on_error,))
        self._preload_modules = list(modules_names)
        self._preload_on_error = on_error

    def get_inherited_fds(self):
        """In a forkserver child: the fds it received; elsewhere None."""
        return forkserver_main._inherited_fds

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
        """Spawn the server: a fresh interpreter running ``forkserver_main.main``."""
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
            try:
                client = self._connect()
            except (ConnectionError, EOFError) as e:
                # A new server that dies at once failed while preloading
                # (on_error='fail'): say where to look, as the stdlib does.
                if hasattr(e, 'add_note'):      # 3.11+
                    e.add_note('Forkserver process may have crashed: see its '
                               'traceback above (set_forkserver_preload).')
                raise
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
    return spawn.command_line('teachmp.forkserver_main', listener_fd, alive_fd,
                              config_fd)


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
