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
        raise NotImplementedError('exercise 05.1: PipeSemaphore.__init__()')

    def acquire(self, block=True, timeout=None):
        """Take one token; return True, or False if none came in time.

        ``block=False``: never wait (``timeout`` is ignored).
        ``block=True, timeout=None``: wait as long as it takes.
        ``block=True, timeout=t``: wait at most ``t`` seconds (``t <= 0``
        means do not wait).  Another process may take the token you were
        woken for: then wait again, until the deadline.  No busy waiting.
        """
        raise NotImplementedError('exercise 05.1: PipeSemaphore.acquire()')

    def release(self):
        """Put one token back (wakes one waiting process, if any)."""
        raise NotImplementedError('exercise 05.1: PipeSemaphore.release()')

    def get_value(self):
        """The number of tokens in the pipe (ask the kernel: FIONREAD)."""
        raise NotImplementedError('exercise 05.1: PipeSemaphore.get_value()')

    def close(self):
        """Close both ends of the pipe."""
        os.close(self._r)
        os.close(self._w)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()
