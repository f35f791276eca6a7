"""POSIX shared-memory names: ``shm_open`` and ``shm_unlink`` without C.

This is teachmp's counterpart of the stdlib's C module ``_posixshmem``: two
functions that turn a name such as ``psm_1a2b3c4d`` into an open file
descriptor, or remove the name.  On Linux a POSIX shared-memory object is the
file ``/dev/shm/NAME`` on a RAM-backed filesystem, so ``os.open`` and
``os.unlink`` on that path do the job; elsewhere (macOS) the C functions are
called through ``ctypes``.  Errors name the object the POSIX way, ``/NAME``.

It sits at the bottom of the library because two modules need it:
``shared_memory`` (create, attach, unlink) and ``resource_tracker`` (unlink
what a dead program left behind).
"""

import ctypes
import ctypes.util
import os

_SHM_DIR = '/dev/shm'
# Looked up once: asking on every call was a stat() per open and unlink.
_HAVE_SHM_DIR = os.path.isdir(_SHM_DIR)


def shm_open(name, flags, mode=0o600):
    """Open object ``name`` (``flags`` as for ``os.open``); return the fd."""
    if _HAVE_SHM_DIR:
        with _named_as_shm(name):
            return os.open(_SHM_DIR + '/' + name, flags, mode)
    return _libc_shm_call('shm_open', name, flags, mode)


def shm_unlink(name):
    """Remove the name ``name``; the memory goes when the last user closes it."""
    if _HAVE_SHM_DIR:
        with _named_as_shm(name):
            os.unlink(_SHM_DIR + '/' + name)
    else:
        _libc_shm_call('shm_unlink', name)


class _named_as_shm:
    """Report errors with the POSIX name ('/psm_...'), as shm_open does."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and isinstance(exc, OSError):
            exc.filename = '/' + self.name
        return False


def _libc_shm_call(func, name, *args):
    libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
    result = getattr(libc, func)(('/' + name).encode(), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), name)
    return result
