"""Exercise 06.2: a bump allocator over one shared mmap.

Uses: mmap.mmap(-1, size) (anonymous memory, shared with children started
by fork), ctypes: sizeof, alignment, from_buffer.
teachmp's heap (``teachmp/heap.py``) carves every Value and Array out of
big arenas this way; here you write the smallest version of it.
"""
import ctypes
import mmap


class BumpArena:
    """Hands out consecutive, aligned pieces of one shared mapping."""

    def __init__(self, size):
        """Map ``size`` bytes of anonymous shared memory; nothing used yet.

        ``size`` must be positive, else ``ValueError``.
        """
        if size <= 0:
            raise ValueError('size must be positive')
        self.size = size
        self.buffer = mmap.mmap(-1, size)       # MAP_SHARED: forked children see it
        self.top = 0                            # first byte not handed out yet

    def alloc(self, nbytes, align=8):
        """Reserve ``nbytes`` bytes and return the offset where they start.

        The offset is the first multiple of ``align`` at or after ``top``;
        ``top`` then moves past the piece.  ``align`` must be a power of two
        and ``nbytes`` not negative (else ``ValueError``).  A piece that does
        not fit raises ``MemoryError`` and leaves ``top`` unchanged.
        """
        if align <= 0 or align & (align - 1):
            raise ValueError(f'align must be a power of two, not {align!r}')
        if nbytes < 0:
            raise ValueError('nbytes must not be negative')
        offset = (self.top + align - 1) & ~(align - 1)
        if offset + nbytes > self.size:
            raise MemoryError(f'{nbytes} bytes do not fit: '
                              f'{self.size - self.top} of {self.size} left')
        self.top = offset + nbytes
        return offset

    def new(self, ctype, *args):
        """A new ``ctype`` object living in the arena, initialised with ``args``.

        Allocate ``ctypes.sizeof(ctype)`` bytes aligned to
        ``ctypes.alignment(ctype)``, lay the object over them with
        ``ctype.from_buffer(self.buffer, offset)``, then pass ``args`` to
        its ``__init__`` (like ``RawValue`` does).
        """
        offset = self.alloc(ctypes.sizeof(ctype), ctypes.alignment(ctype))
        obj = ctype.from_buffer(self.buffer, offset)
        obj.__init__(*args)
        return obj

    def new_array(self, ctype, length):
        """A zero-filled array of ``length`` items of ``ctype`` in the arena."""
        return self.new(ctype * length)

    def used(self):
        """How many bytes are handed out, padding included (``top``)."""
        return self.top
