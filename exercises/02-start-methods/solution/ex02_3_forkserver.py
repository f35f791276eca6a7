"""Exercise 02.3: build a mini fork server.

This is the idea behind teachmp/forkserver.py and teachmp/popen_forkserver.py:
a fresh interpreter is started once; it imports what the children will need
and then forks one child per request.  The parent sends each request over a
Unix socket, with a file descriptor attached (``SCM_RIGHTS``): the write end
of the pipe on which the child answers.
"""
import os
import pickle
import select
import socket
import subprocess
import sys

MAX_REQUEST = 1 << 16       # a request is one SOCK_SEQPACKET message


class MiniForkServer:
    """A server process that runs ``func(*args)`` in a child forked from it."""

    def __init__(self, preload=()):
        """Start the server: ``sys.executable``, running ``serve()`` below.

        * Make ``socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)``
          (a packet socket keeps each request in one piece); keep one end,
          pass the other to the child with ``subprocess.Popen(...,
          pass_fds=[...])`` and close it here.
        * The child's command line sets ``sys.path`` to the parent's (use
          ``repr``), imports this module (its name is ``__name__``) and calls
          ``serve(fd, preload)``.
        * Set ``self.pid`` to the server's pid.
        """
        self._sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = (f'import sys; sys.path[:] = {sys.path!r}; '
                f'from {__name__} import serve; serve({theirs.fileno()}, {list(preload)!r})')
        with theirs:
            self._server = subprocess.Popen([sys.executable, '-c', code],
                                            pass_fds=[theirs.fileno()])
        self.pid = self._server.pid

    def call(self, func, *args, timeout=10):
        """Run ``func(*args)`` in a child of the server; return or raise its result.

        * Pickle ``(func, args)`` first: an unpicklable call raises here and
          the server never hears of it.
        * Make a pipe; send the pickle with the pipe's write end attached
          (``socket.send_fds``), then close the write end here: the child
          holds the only one, so reading the read end to EOF gives the whole
          answer, or nothing if the child died.
        * The answer is a pickled ``("ok", result)`` or ``("error", exc)``.
          No answer at all: raise ``ChildProcessError``.  No EOF within
          ``timeout`` seconds: raise ``TimeoutError``.
        """
        payload = pickle.dumps((func, args))
        if len(payload) > MAX_REQUEST:
            raise ValueError('request too large for one message')
        r, w = os.pipe()
        try:
            socket.send_fds(self._sock, [payload], [w])
        finally:
            os.close(w)
        with open(r, 'rb') as answer_pipe:
            chunks = []
            while True:
                ready, _, _ = select.select([answer_pipe], [], [], timeout)
                if not ready:
                    raise TimeoutError(f'{func!r} did not answer in {timeout} s')
                chunk = os.read(answer_pipe.fileno(), 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        if not chunks:
            raise ChildProcessError('the child died without answering')
        status, value = pickle.loads(b''.join(chunks))
        if status == 'error':
            raise value
        return value

    def close(self):
        """Stop the server: close our end of the socket (it sees EOF), wait for it."""
        self._sock.close()
        self._server.wait(10)


def serve(fd, preload):
    """The server's loop (runs in the server process).

    * Import every module named in ``preload`` (a name that fails to import
      is skipped).
    * Then, for each request (``socket.recv_fds(sock, MAX_REQUEST, 1)``):
      fork.  The child closes the socket, unpickles and runs the call,
      writes the pickled answer to the received fd and leaves with
      ``os._exit(0)``.  The server closes the received fd and reaps
      finished children (``os.waitpid(-1, os.WNOHANG)``).
    * An empty message means the parent closed its end: return.
    """
    for name in preload:
        try:
            __import__(name)
        except ImportError:
            pass
    sock = socket.socket(fileno=fd)
    while True:
        message, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, 1)
        if not message:
            return
        pid = os.fork()
        if pid == 0:                    # the child: run the call, never return
            sock.close()
            try:
                func, args = pickle.loads(message)
                reply = ('ok', func(*args))
            except Exception as exc:
                reply = ('error', exc)
            try:
                data = pickle.dumps(reply)
            except Exception as exc:
                data = pickle.dumps(('error', TypeError(f'cannot send the result back: {exc}')))
            with open(fds[0], 'wb') as f:
                f.write(data)
            os._exit(0)
        os.close(fds[0])
        while True:                     # reap whichever children have ended
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
