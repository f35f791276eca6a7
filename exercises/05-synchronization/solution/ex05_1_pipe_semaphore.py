"""Exercise 05.1: a counting semaphore made of a pipe (the make jobserver trick).

Uses: os.pipe, os.read, os.write, os.set_blocking, select.poll (or
select.select), fcntl.ioctl with termios.FIONREAD, time.monotonic.
The semaphore is shared with child processes started by *fork* (they
inherit the pipe's file descriptors).
"""
import fcntl
import os
import select
import struct
import termios
import time

TOKEN = b't'


class PipeSemaphore:
    """A semaphore whose value is the number of bytes waiting in a pipe."""

    def __init__(self, value=1):
        """Create the pipe and put ``value`` tokens in it.

        ``value < 0`` raises ``ValueError``.  Make the read end
        non-blocking: ``acquire`` decides itself how long to wait.
        """
        if value < 0:
            raise ValueError('semaphore initial value must be >= 0')
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        if value:
            os.write(self._w, TOKEN * value)

    def acquire(self, block=True, timeout=None):
        """Take one token; return True, or False if none came in time.

        ``block=False``: never wait (``timeout`` is ignored).
        ``block=True, timeout=None``: wait as long as it takes.
        ``block=True, timeout=t``: wait at most ``t`` seconds (``t <= 0``
        means do not wait).  Another process may take the token you were
        woken for: then wait again, until the deadline.  No busy waiting.
        """
        deadline = None
        if block and timeout is not None:
            deadline = time.monotonic() + max(timeout, 0)
        poller = select.poll()
        poller.register(self._r, select.POLLIN)
        while True:
            try:
                os.read(self._r, 1)
                return True
            except BlockingIOError:
                pass
            if not block:
                return False
            if deadline is None:
                poller.poll()
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                poller.poll(max(1, int(remaining * 1000 + 0.999)))

    def release(self):
        """Put one token back (wakes one waiting process, if any)."""
        os.write(self._w, TOKEN)

    def get_value(self):
        """The number of tokens in the pipe (ask the kernel: FIONREAD)."""
        buf = fcntl.ioctl(self._r, termios.FIONREAD, b'\0\0\0\0')
        return struct.unpack('i', buf)[0]

    def close(self):
        """Close both ends of the pipe."""
        os.close(self._r)
        os.close(self._w)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()
