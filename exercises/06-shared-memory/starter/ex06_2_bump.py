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
        raise NotImplementedError('exercise 06.2: BumpArena.__init__()')

    def alloc(self, nbytes, align=8):
        """Reserve ``nbytes`` bytes and return the offset where they start.

        The offset is the first multiple of ``align`` at or after ``top``;
        ``top`` then moves past the piece.  ``align`` must be a power of two
        and ``nbytes`` not negative (else ``ValueError``).  A piece that does
        not fit raises ``MemoryError`` and leaves ``top`` unchanged.
        """
        raise NotImplementedError('exercise 06.2: BumpArena.alloc()')

    def new(self, ctype, *args):
        """A new ``ctype`` object living in the arena, initialised with ``args``.

        Allocate ``ctypes.sizeof(ctype)`` bytes aligned to
        ``ctypes.alignment(ctype)``, lay the object over them with
        ``ctype.from_buffer(self.buffer, offset)``, then pass ``args`` to
        its ``__init__`` (like ``RawValue`` does).
        """
        raise NotImplementedError('exercise 06.2: BumpArena.new()')

    def new_array(self, ctype, length):
        """A zero-filled array of ``length`` items of ``ctype`` in the arena."""
        raise NotImplementedError('exercise 06.2: BumpArena.new_array()')

    def used(self):
        """How many bytes are handed out, padding included (``top``)."""
        raise NotImplementedError('exercise 06.2: BumpArena.used()')
