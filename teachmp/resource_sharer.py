"""The resource sharer: hand a file descriptor to a process already running.

A pickle is bytes; a file descriptor is an entry in the kernel's table of
*one* process.  To send a ``Connection`` or a socket through a pipe, a queue
or a manager, the descriptor must be copied into the receiver's table, and
only the kernel can do that: ``SCM_RIGHTS`` over a Unix socket
(``reduction.sendfds``).  A queue is a pipe, not a Unix socket, and the
receiver is not known when the object is pickled -- so the descriptor
travels *on demand*, on a connection of its own:

1. pickling (``DupFd(fd)``, in the sender) duplicates the descriptor, files
   the copy under a fresh number (the *key*) and writes only the sharer's
   address and that key into the pickle;
2. a small thread of the sender, the *sharer*, listens on a Unix socket
   (a ``Listener`` with the process's authkey: only processes of the same
   program may ask);
3. unpickling (``DupFd.detach()``, in whichever process receives the
   message) connects to that address, sends the key, and receives the
   descriptor with ``recv_handle``; the sender closes its copy.

Each descriptor is handed out once.  The sharer starts with the first
descriptor pickled and stops as soon as none is waiting, so a program that
sends nothing (or whose receivers have fetched everything) keeps no extra
thread or socket.  A forked child inherits the parent's table of waiting
copies but not the thread: it closes them and starts afresh.  ``stop()``
ends the sharer at once, closing what was never fetched.

The sender must stay alive until the receiver has unpickled the object --
as with the stdlib, which uses the same design.
"""

import itertools
import os
import socket
import threading

from teachmp import log, process, util

__all__ = ['stop', 'DupFd']


class DupFd:
    """A descriptor waiting in the sender's sharer; ``detach()`` fetches it."""

    def __init__(self, fd):
        copy = os.dup(fd)
        self._address, self._key = _sharer.register(copy)

    def detach(self):
        """Fetch the descriptor from the sender; return its number here."""
        from teachmp.listener import Client
        from teachmp.reduction import recv_handle
        with Client(self._address, authkey=process.current_process().authkey) as conn:
            conn.send((self._key, os.getpid()))
            return recv_handle(conn)

    def __repr__(self):
        return '<%s key=%r address=%r>' % (type(self).__name__, self._key,
                                           self._address)


class _ResourceSharer:
    """The sender's side: waiting descriptors, a listener, a thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self._waiting = {}              # key -> descriptor (our own copy)
        self._keys = itertools.count(1)
        self._listener = None
        self._thread = None
        util.register_after_fork(self, _ResourceSharer._after_fork)

    def register(self, fd):
        """File ``fd`` (ours to close) for one fetch; return (address, key)."""
        with self._lock:
            if self._listener is None:
                self._start()
            key = next(self._keys)
            self._waiting[key] = fd
            return self._listener.address, key

    def _start(self):
        from teachmp.listener import Listener
        log.debug('starting listener and thread for sending handles')
        self._listener = Listener(authkey=process.current_process().authkey,
                                  backlog=128)
        self._thread = threading.Thread(target=self._serve, args=(self._listener,),
                                        name='ResourceSharer', daemon=True)
        self._thread.start()

    def _serve(self, listener):
        from teachmp.reduction import send_handle
        while True:
            try:
                conn = listener.accept()
            except Exception:           # stopped, or a peer that failed the handshake
                if listener is not self._listener:
                    return
                continue
            with conn:
                try:
                    key, pid = conn.recv()
                    with self._lock:
                        fd = self._waiting.pop(key)
                    try:
                        send_handle(conn, fd, pid)
                    finally:
                        os.close(fd)
                except Exception as e:  # a bad request must not kill the sharer
                    log.sub_warning('resource sharer: %r', e)
            with self._lock:
                if not self._waiting and listener is self._listener:
                    # Nothing left to hand out: stop until the next register.
                    self._listener = self._thread = None
                    listener.close()
                    return

    def stop(self, timeout=None):
        """Stop the sharer now; descriptors not yet fetched are closed."""
        with self._lock:
            listener, thread = self._listener, self._thread
            self._listener = self._thread = None
            waiting, self._waiting = self._waiting, {}
        if listener is not None:
            # Wake the thread blocked in accept(): on Linux, shutting a
            # listening socket down makes accept() fail at once (closing it
            # alone would not).
            try:
                listener._socket.shutdown(socket.SHUT_RDWR)
            except (OSError, AttributeError):
                pass
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        if listener is not None:
            listener.close()
        util.close_fds(*waiting.values())

    def _after_fork(self):
        # The copies and the listening socket are the parent's to hand out;
        # the thread did not survive the fork.  Close our inherited
        # descriptors without removing the parent's socket file.
        util.close_fds(*self._waiting.values())
        self._waiting = {}
        if self._listener is not None:
            self._listener._unlink = None
            self._listener.close()
        self._listener = self._thread = None
        self._lock = threading.Lock()

    def __repr__(self):
        state = 'idle' if self._listener is None else 'serving %r' % (
            self._listener.address,)
        return '<ResourceSharer %s, %d waiting>' % (state, len(self._waiting))


_sharer = _ResourceSharer()
stop = _sharer.stop
