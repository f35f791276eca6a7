"""Named shared memory: a block anyone may attach to by name, until unlinked.

``teachmp.heap`` hands anonymous memory to children it starts.  A
``SharedMemory`` block is different: it has a *name*, so an unrelated process
-- started by a shell, or using the stdlib -- can attach to it, and it
outlives the process that created it until somebody calls ``unlink()``.

On Linux a POSIX shared-memory object called ``psm_1a2b3c4d`` is simply the
file ``/dev/shm/psm_1a2b3c4d`` on a RAM-backed filesystem, so this module
opens that file with ``os.open`` and maps it with ``mmap`` -- the very object
the stdlib's ``shm_open`` reaches, which is why a teachmp process and a
stdlib process can share one block by name.  Elsewhere (macOS) the C
functions ``shm_open``/``shm_unlink`` are called through ``ctypes``; both
cases are in ``teachmp.posixshm``.

A block the program forgets to ``unlink`` would stay in ``/dev/shm`` (and in
RAM) until reboot; with ``track=True`` (the default) the name is registered
with the resource tracker (``teachmp.resource_tracker``), which unlinks it
when the whole program has ended.  The rule is the same as in the stdlib:
exactly one process -- usually the creator, once every user is done -- calls
``unlink()``; every process calls ``close()``.

A new block must fit in ``/dev/shm``.  ``ftruncate`` alone only sets the
file's length: on a full ``/dev/shm`` it succeeds, and the first write to a
page that finds no room kills the process with ``SIGBUS`` -- far from the
line that asked for too much, with no traceback (CPython gh-114390; the
stdlib does exactly that).  So ``_reserve_pages`` looks first
(``os.fstatvfs``, a microsecond): a block larger than the free space is an
``OSError(ENOSPC)`` at ``SharedMemory(create=True, ...)`` that names the
block and the directory, with the half-made block already removed.  A block
that would take more than half of what is free also has its pages
*reserved* at once (``posix_fallocate``, on Linux), which settles it even
while other processes fill ``/dev/shm`` too.  A smaller block is made the
stdlib's way, its pages found when first touched.  Why not reserve every
block: it commits and zeroes every page at creation, 0.07 ms instead of
0.01 ms for 1 MiB and 0.1 to 0.2 s per GiB (``benchmarks/shm_reserve.py``),
which made creating a block five times slower than in the stdlib, and a big
block that is only sparsely used would cost its whole size at once.  What is
left: several processes that each create a block under half of the free
space at the same moment can still overfill it together.  Where the file
system cannot reserve (``EOPNOTSUPP``), the block is made the old way.

``ShareableList`` stores a short list of ints, floats, bools, ``None``, str
and bytes in one block, each item in a fixed-size slot (so a str may later be
replaced by a shorter one, never a longer one).  Its layout is teachmp's own,
described in ``ShareableList``.
"""

import errno
import mmap
import os
import secrets
import struct
import types

from teachmp import compat, posixshm, resource_tracker
from teachmp.posixshm import shm_open, shm_unlink

_PREFIX = 'psm_'
_O_FLAGS = os.O_RDWR


def _make_name():
    return _PREFIX + secrets.token_hex(4)


class SharedMemory:
    """A named block of shared memory: ``buf`` is a memoryview of it."""

    def __init__(self, name=None, create=False, size=0, *, track=True):
        if not size >= 0:
            raise ValueError("'size' must be a positive integer")
        if create and size == 0:
            raise ValueError("'size' must be a positive number different from zero")
        if name is None and not create:
            raise ValueError("'name' can only be None if create=True")
        flags = _O_FLAGS | (os.O_CREAT | os.O_EXCL if create else 0)
        if name is not None:
            name = name.lstrip('/')
        while True:
            candidate = _make_name() if name is None else name
            try:
                self._fd = shm_open(candidate, flags)
            except FileExistsError:
                if name is None:
                    continue    # a random name collided: draw another
                raise
            break
        self._name = candidate
        self._track = track
        try:
            if create:
                os.ftruncate(self._fd, size)
                _reserve_pages(self._fd, size, self._name)
            self._size = os.fstat(self._fd).st_size
            self._mmap = mmap.mmap(self._fd, self._size)
        except BaseException:
            os.close(self._fd)
            if create:
                shm_unlink(self._name)
            raise
        self._buf = memoryview(self._mmap)
        if track:
            resource_tracker.register('/' + self._name, 'shared_memory')

    @property
    def buf(self):
        """A ``memoryview`` of the block's bytes."""
        return self._buf

    @property
    def name(self):
        """The block's name, which other processes attach with."""
        return self._name

    @property
    def size(self):
        """The block's size in bytes (at least what was asked for)."""
        return self._size

    def close(self):
        """Stop using the block in this process (it stays for the others)."""
        if self._buf is not None:
            self._buf.release()
            self._buf = None
        if self._mmap is not None:
            self._mmap.close()
            self._mmap = None
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def unlink(self):
        """Remove the name; the memory goes once every process has closed it."""
        shm_unlink(self._name)
        if self._track:
            resource_tracker.unregister('/' + self._name, 'shared_memory')

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __reduce__(self):
        # The receiver attaches and registers the name with the tracker it
        # reaches (the same one, within one program), as the stdlib does.
        return type(self), (self.name, False, self.size)

    def __repr__(self):
        return '%s(%r, size=%d)' % (type(self).__name__, self.name, self.size)


def _reserve_pages(fd, size, name):
    """Make sure a new block fits: a full /dev/shm is an error here, not a
    SIGBUS at the first write (see the module's header)."""
    try:
        st = os.fstatvfs(fd)            # the file system the block is on
        free = st.f_bavail * st.f_frsize
    except OSError:
        free = None
    if free is not None and size > free:
        _no_room(size, name, free)
    if free is not None and size <= free // 2:
        return      # plenty of room: pages come on first touch, as in the stdlib
    if not hasattr(os, 'posix_fallocate'):
        return                  # macOS: no way to reserve; pages come on touch
    try:
        os.posix_fallocate(fd, 0, size)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            return              # this file system cannot reserve: as before
        if exc.errno != errno.ENOSPC:
            raise
        _no_room(size, name, free)


def _no_room(size, name, free):
    where = posixshm._SHM_DIR         # where shm_open's files live on Linux
    raise OSError(errno.ENOSPC, 'no room for a shared memory block of %d bytes in '
                  '%s%s: unlink blocks you no longer need, ask for a smaller size, or '
                  'give the machine a bigger %s (in Docker: --shm-size)'
                  % (size, where, '' if free is None else ', %d bytes free' % free,
                     where), '/' + name) from None


if not compat.SHM_TRACK_PARAM:
    # Before 3.13 the stdlib has no ``track`` parameter (every block is
    # tracked): SharedMemory(track=False) is a TypeError there, and here.
    _init_with_track = SharedMemory.__init__

    def _init_without_track(self, name=None, create=False, size=0):
        _init_with_track(self, name, create, size)

    _init_without_track.__doc__ = _init_with_track.__doc__
    _init_without_track.__name__ = '__init__'
    _init_without_track.__qualname__ = 'SharedMemory.__init__'
    SharedMemory.__init__ = _init_without_track


# ---------------------------------------------------------------------------
# ShareableList
# ---------------------------------------------------------------------------

_KINDS = {int: 'q', float: 'd', bool: '?', type(None): 'x', str: 's', bytes: 'b'}
_HEADER = struct.Struct('q')        # number of items
_SLOT_INFO = struct.Struct('c3xiq')  # kind letter, capacity, used length
_ALIGN = 8


def _kind_and_payload(value):
    kind = _KINDS.get(type(value))
    if kind is None:
        raise TypeError('ShareableList holds int, float, bool, None, str and '
                        'bytes, not %s' % type(value).__name__)
    if kind == 's':
        return kind, value.encode('utf-8')
    if kind == 'b':
        return kind, value
    return kind, None


class ShareableList:
    """A fixed-length list in a named shared-memory block.

    Layout: an 8-byte item count; then per item a 16-byte slot descriptor
    (kind letter, capacity, length of a str/bytes value); then the slots,
    each a multiple of 8 bytes.
    """

    __class_getitem__ = classmethod(types.GenericAlias)   # ShareableList[int]

    def __init__(self, sequence=None, *, name=None):
        if name is None or sequence is not None:
            items = list(sequence or ())
            slots = []
            for value in items:
                kind, payload = _kind_and_payload(value)
                capacity = 8 if payload is None else _round_up(len(payload))
                slots.append((kind, capacity))
            size = _HEADER.size + _SLOT_INFO.size * len(items) + sum(c for _, c in slots)
            self.shm = SharedMemory(name, create=True, size=max(size, 1))
            _HEADER.pack_into(self.shm.buf, 0, len(items))
            self._read_layout_from(slots)
            for i, value in enumerate(items):
                self[i] = value
        else:
            self.shm = SharedMemory(name)
            count, = _HEADER.unpack_from(self.shm.buf, 0)
            slots = [(k.decode(), cap) for k, cap, _ in (
                _SLOT_INFO.unpack_from(self.shm.buf, _HEADER.size + i * _SLOT_INFO.size)
                for i in range(count))]
            self._read_layout_from(slots, write=False)

    def _read_layout_from(self, slots, write=True):
        self._capacity = [cap for _, cap in slots]
        self._offsets = []
        offset = _HEADER.size + _SLOT_INFO.size * len(slots)
        for i, (kind, capacity) in enumerate(slots):
            if write:
                _SLOT_INFO.pack_into(self.shm.buf, _HEADER.size + i * _SLOT_INFO.size,
                                     kind.encode(), capacity, 0)
            self._offsets.append(offset)
            offset += capacity

    def _slot_info(self, i):
        kind, _, length = _SLOT_INFO.unpack_from(
            self.shm.buf, _HEADER.size + i * _SLOT_INFO.size)
        return kind.decode(), length

    def _kind(self, i):
        return self._slot_info(i)[0]

    def __len__(self):
        return len(self._offsets)

    def _index(self, i):
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError('index out of range')
        return i

    def __getitem__(self, i):
        i = self._index(i)
        buf, offset = self.shm.buf, self._offsets[i]
        kind, length = self._slot_info(i)
        if kind == 'x':
            return None
        if kind in 'sb':
            raw = bytes(buf[offset:offset + length])
            return raw.decode('utf-8') if kind == 's' else raw
        return struct.unpack_from(kind, buf, offset)[0]

    def __setitem__(self, i, value):
        i = self._index(i)
        kind, payload = _kind_and_payload(value)
        offset, capacity = self._offsets[i], self._capacity[i]
        buf = self.shm.buf
        length = 0
        if payload is not None:
            length = len(payload)
            if length > capacity:
                raise ValueError('%s item exceeds available storage: this slot '
                                 'holds at most %d bytes' % (
                                     'str' if kind == 's' else 'bytes', capacity))
            buf[offset:offset + length] = payload
        elif kind != 'x':
            struct.pack_into(kind, buf, offset, value)
        _SLOT_INFO.pack_into(buf, _HEADER.size + i * _SLOT_INFO.size,
                             kind.encode(), capacity, length)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def count(self, value):
        """How many items are equal to ``value``."""
        return sum(1 for item in self if item == value)

    def index(self, value):
        """The position of the first item equal to ``value`` (ValueError if none)."""
        for i, item in enumerate(self):
            if item == value:
                return i
        raise ValueError('%r not in this container' % (value,))

    @property
    def format(self):
        """The struct format of the items, as the stdlib shows it."""
        return ''.join(self._kind(i) for i in range(len(self)))

    def __reduce__(self):
        return type(self)._attach, (self.shm.name,)

    @classmethod
    def _attach(cls, name):
        return cls(name=name)

    def __repr__(self):
        return '%s(%r, name=%r)' % (type(self).__name__, list(self), self.shm.name)


def _round_up(n):
    return max(_ALIGN, (n + _ALIGN - 1) // _ALIGN * _ALIGN)
