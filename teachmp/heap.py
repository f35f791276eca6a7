"""A tiny allocator of shared memory: many small blocks from a few arenas.

Shared memory is a file mapped into several processes with ``mmap``:
``os.memfd_create`` makes an anonymous in-memory file on Linux (elsewhere an
unlinked temporary file does the same job).  A forked child inherits the
mapping itself; a spawned child receives the file descriptor (``DupFd``) and
maps the same file again.  Either way both processes see the same bytes.

One mapping per ``Value`` would be simple, but each costs a file descriptor
and a whole page, and a program with ten thousand ``Value('i')`` would run
out of descriptors.  So blocks are carved out of *arenas* of at least 1 MiB:

* ``malloc(size)`` rounds up to 8 bytes (so doubles stay aligned), reuses a
  freed block of exactly that size if there is one, else bumps a pointer in
  the current arena, else opens a new arena;
* a block is freed when the last ``Block`` object for it is garbage
  collected; its space goes back to a free list for its size.

The allocator belongs to one process.  After a fork the child starts with an
empty heap of its own: handing out blocks from an arena the parent is also
allocating from would make both processes use the same bytes for different
objects.  (Blocks the child *inherited* still work: they are just memory.)
"""

import mmap
import os
import sys
import tempfile
import threading

from teachmp import util

ARENA_SIZE = 1 << 20
_ALIGNMENT = 8


class Arena:
    """One shared mapping, of ``size`` bytes, backed by a file descriptor."""

    def __init__(self, size, fd=-1):
        self.size = size
        if fd == -1:
            fd = _make_backing_file(size)
        self.fd = fd
        self.buffer = mmap.mmap(fd, size)
        self._closer = util.FdCloser(fd)

    def __reduce__(self):
        from teachmp.spawning import assert_spawning
        from teachmp.reduction import DupFd
        assert_spawning(self)
        return _rebuild_arena, (self.size, DupFd(self.fd))

    def __repr__(self):
        return '<Arena fd=%d size=%d>' % (self.fd, self.size)


def _rebuild_arena(size, dup_fd):
    return Arena(size, dup_fd.detach())


def _make_backing_file(size):
    if hasattr(os, 'memfd_create'):
        fd = os.memfd_create('teachmp-heap', os.MFD_CLOEXEC)
    else:   # macOS: a temporary file nobody can open by name
        fd, path = tempfile.mkstemp(prefix='teachmp-heap-')
        os.unlink(path)
    os.ftruncate(fd, size)
    return fd


class Heap:
    """This process's allocator: arenas of shared memory, cut into blocks."""

    def __init__(self):
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._arenas = []
        self._free = {}             # size -> [(arena, offset), ...]
        self._pending = []          # frees that arrived while the lock was held
        self._top = None            # (arena, next free offset) for bumping

    def malloc(self, size):
        """Return ``(arena, offset, size)`` of a free block of at least ``size`` bytes."""
        if size < 0:
            raise ValueError('Size {0:n} out of range'.format(size))
        size = max(_ALIGNMENT, (size + _ALIGNMENT - 1) & ~(_ALIGNMENT - 1))
        with self._lock:
            self._free_pending()
            free = self._free.get(size)
            if free:
                arena, offset = free.pop()
                arena.buffer[offset:offset + size] = bytes(size)  # as new
            else:
                arena, offset = self._bump(size)
        return arena, offset, size

    def _bump(self, size):
        if self._top is not None:
            arena, offset = self._top
            if offset + size <= arena.size:
                self._top = (arena, offset + size)
                return arena, offset
        arena = Arena(max(ARENA_SIZE, mmap.PAGESIZE * -(-size // mmap.PAGESIZE)))
        self._arenas.append(arena)
        self._top = (arena, size)
        return arena, 0

    def free(self, arena, offset, size):
        """Give a block back (later, if the lock is held: see the comment)."""
        if os.getpid() != self._pid:
            return          # a block inherited from our parent: not ours
        # free() runs from Block.__del__, i.e. whenever the garbage collector
        # decides -- possibly in the middle of malloc() in this very thread,
        # with the lock held.  Never wait for the lock here: park the block
        # and let the next malloc() file it.
        if not self._lock.acquire(False):
            self._pending.append((arena, offset, size))
            return
        try:
            self._free_pending()
            self._free.setdefault(size, []).append((arena, offset))
        finally:
            self._lock.release()

    def _free_pending(self):
        while self._pending:
            arena, offset, size = self._pending.pop()
            self._free.setdefault(size, []).append((arena, offset))


_heap = Heap()


def _heap_for_this_process():
    global _heap
    if _heap._pid != os.getpid():
        _heap = Heap()
    return _heap


class Block:
    """A piece of shared memory: (arena, offset, size), freed when dropped."""

    def __init__(self, size):
        heap = _heap_for_this_process()
        self.arena, self.offset, self.size = heap.malloc(size)
        self._finalizer_heap = heap

    def __del__(self):
        heap = getattr(self, '_finalizer_heap', None)
        if heap is not None:
            heap.free(self.arena, self.offset, self.size)

    def __reduce__(self):
        return _rebuild_block, (self.arena, self.offset, self.size)

    def view(self):
        """A ``memoryview`` of the block's bytes inside the arena's mapping."""
        return memoryview(self.arena.buffer)[self.offset:self.offset + self.size]


def _rebuild_block(arena, offset, size):
    block = Block.__new__(Block)
    block.arena, block.offset, block.size = arena, offset, size
    block._finalizer_heap = None    # the sender's heap owns it
    return block


class BufferWrapper:
    """The stdlib's public face of one block: ``BufferWrapper(size)``.

    ``multiprocessing.heap`` exports only this class; code that wants raw
    shared bytes without ctypes uses it.  teachmp's own ``sharedctypes``
    uses ``Block`` directly; this is the same block under the stdlib's name.
    """

    def __init__(self, size):
        if size < 0:
            raise ValueError('Size {0:n} out of range'.format(size))
        if sys.maxsize <= size:
            raise OverflowError('Size {0:n} too large'.format(size))
        self._block = Block(size)
        self._size = size       # the block is rounded up to 8 bytes

    def create_memoryview(self):
        """A writable view of exactly ``size`` shared bytes."""
        return self._block.view()[:self._size]

    def __repr__(self):
        return '<BufferWrapper size=%d %r>' % (self._size, self._block.arena)


__all__ = ['BufferWrapper']
