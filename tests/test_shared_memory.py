"""SharedMemory and ShareableList, compared with the stdlib's
``multiprocessing.shared_memory`` -- and the same block reached by name from
both libraries.

The stdlib registers every block it creates *or attaches to* with its
resource tracker (before 3.13); a block it registered must be unlinked
through a stdlib handle, exactly once, or the tracker warns at exit.  Every
handle is closed.
"""

from __future__ import annotations

import errno
import importlib
import multiprocessing.shared_memory as std_shm
import os
import secrets

import pytest

import sync_targets as st
import teachmp.shared_memory as tm_shm
from support import TIMEOUT, recv


def shm_module(mod):
    return importlib.import_module(mod.__name__ + '.shared_memory')


# the names this process made: in a parallel run (make test) other workers
# make blocks of their own at the same time, which are none of our business
_MADE_HERE = set()


def fresh_name():
    name = 'tmtest_' + secrets.token_hex(6)
    _MADE_HERE.add(name)
    return name


@pytest.fixture
def shared_memory(mpmod):
    return shm_module(mpmod)


# -- SharedMemory ------------------------------------------------------------------------


def test_create_attach_close_unlink(shared_memory):
    shm = shared_memory.SharedMemory(create=True, size=100)
    try:
        assert isinstance(shm.name, str) and not shm.name.startswith('/')
        assert shm.size == 100
        assert isinstance(shm.buf, memoryview) and len(shm.buf) == 100
        assert bytes(shm.buf[:4]) == b'\x00' * 4  # new memory reads as zero
        shm.buf[:5] = b'hello'
        other = shared_memory.SharedMemory(shm.name)  # attach by name
        try:
            assert other.name == shm.name and other.size == 100
            assert bytes(other.buf[:5]) == b'hello'
            other.buf[5:11] = b' world'
            assert bytes(shm.buf[:11]) == b'hello world'
        finally:
            other.close()
        assert other.buf is None
        other.close()  # closing twice is harmless
        assert bytes(shm.buf[:11]) == b'hello world'  # still there for us
    finally:
        shm.close()
        shm.unlink()
    with pytest.raises(FileNotFoundError):
        shared_memory.SharedMemory(shm.name)


def test_named_create_and_repr(shared_memory):
    name = fresh_name()
    shm = shared_memory.SharedMemory(name, create=True, size=16)
    try:
        assert shm.name == name
        assert repr(shm) == f'SharedMemory({name!r}, size=16)'
        # an attach ignores the size argument: the block's own size wins
        other = shared_memory.SharedMemory(name, size=4)
        assert other.size == 16
        other.close()
    finally:
        shm.close()
        shm.unlink()


def test_errors(shared_memory):
    name = fresh_name()
    with pytest.raises(FileNotFoundError) as info:
        shared_memory.SharedMemory(name)
    assert info.value.errno == errno.ENOENT and name in str(info.value)
    with pytest.raises(ValueError, match="'size' must be a positive integer"):
        shared_memory.SharedMemory(create=True, size=-1)
    with pytest.raises(ValueError, match="'size' must be a positive integer"):
        shared_memory.SharedMemory(name, size=-1)
    with pytest.raises(ValueError, match="'name' can only be None if create=True"):
        shared_memory.SharedMemory()
    with pytest.raises(ValueError, match="'name' can only be None if create=True"):
        shared_memory.SharedMemory(None, create=False, size=10)
    with pytest.raises(ValueError, match='different from zero'):
        shared_memory.SharedMemory(create=True)
    shm = shared_memory.SharedMemory(name, create=True, size=8)
    try:
        with pytest.raises(FileExistsError) as info:
            shared_memory.SharedMemory(name, create=True, size=8)
        assert info.value.errno == errno.EEXIST and name in str(info.value)
    finally:
        shm.close()
        shm.unlink()
    with pytest.raises(FileNotFoundError):
        shm.unlink()  # the second unlink: the name is gone


def test_random_names_differ(shared_memory):
    blocks = [shared_memory.SharedMemory(create=True, size=8) for _ in range(5)]
    try:
        assert len({b.name for b in blocks}) == 5
    finally:
        for b in blocks:
            b.close()
            b.unlink()


def test_block_written_by_child(mp, impl):
    shared_memory = shm_module(impl)
    shm = shared_memory.SharedMemory(create=True, size=64)
    a, b = mp.Pipe()
    try:
        shm.buf[:3] = b'abc'
        p = mp.Process(target=st.write_shm_by_name,
                       args=(impl.__name__, shm.name, b'from the child', b))
        p.start()
        assert recv(a) == (b'abc' + b'\x00' * 11, 64)
        p.join(TIMEOUT)
        assert p.exitcode == 0
        assert bytes(shm.buf[:14]) == b'from the child'
    finally:
        a.close()
        b.close()
        shm.close()
        shm.unlink()


def test_block_passed_as_argument(mp, impl):
    shared_memory = shm_module(impl)
    shm = shared_memory.SharedMemory(create=True, size=32)
    a, b = mp.Pipe()
    try:
        p = mp.Process(target=st.write_shm_object, args=(shm, b'passed', b))
        p.start()
        assert recv(a) == shm.name
        p.join(TIMEOUT)
        assert p.exitcode == 0
        assert bytes(shm.buf[:6]) == b'passed'
    finally:
        a.close()
        b.close()
        shm.close()
        shm.unlink()


def test_block_outlives_its_creator(mp, impl):
    shared_memory = shm_module(impl)
    name = fresh_name()
    a, b = mp.Pipe()
    try:
        p = mp.Process(target=st.create_shm_and_exit,
                       args=(impl.__name__, name, b'still here', b))
        p.start()
        assert recv(a) == name
        p.join(TIMEOUT)
        assert p.exitcode == 0
    finally:
        a.close()
        b.close()
    shm = shared_memory.SharedMemory(name)  # the creator is gone
    try:
        assert bytes(shm.buf[:10]) == b'still here'
        assert shm.size == 10
    finally:
        shm.close()
        shm.unlink()


# -- the same block from teachmp and the stdlib ------------------------------------------


@pytest.mark.parametrize('named', [False, True], ids=['random-name', 'given-name'])
def test_teachmp_creates_stdlib_attaches(named):
    name = fresh_name() if named else None
    size = 1000 if named else 4096  # a size that is not whole pages, too
    mine = tm_shm.SharedMemory(name, create=True, size=size)
    try:
        mine.buf[:7] = b'teachmp'
        theirs = std_shm.SharedMemory(mine.name)
        try:
            assert theirs.size == mine.size == size
            assert bytes(theirs.buf[:7]) == b'teachmp'
            theirs.buf[7:14] = b'+stdlib'
            assert bytes(mine.buf[:14]) == b'teachmp+stdlib'
        finally:
            theirs.close()
            theirs.unlink()  # the stdlib registered the name: it unlinks
    finally:
        mine.close()
    with pytest.raises(FileNotFoundError):
        tm_shm.SharedMemory(mine.name)


@pytest.mark.parametrize('named', [False, True], ids=['random-name', 'given-name'])
def test_stdlib_creates_teachmp_attaches(named):
    name = fresh_name() if named else None
    size = 1000 if named else 4096
    theirs = std_shm.SharedMemory(name, create=True, size=size)
    try:
        theirs.buf[:6] = b'stdlib'
        mine = tm_shm.SharedMemory(theirs.name)
        try:
            assert mine.name == theirs.name and mine.size == theirs.size == size
            assert bytes(mine.buf[:6]) == b'stdlib'
            mine.buf[6:14] = b'+teachmp'
        finally:
            mine.close()
        assert bytes(theirs.buf[:14]) == b'stdlib+teachmp'
        # the name is taken for teachmp as well
        with pytest.raises(FileExistsError):
            tm_shm.SharedMemory(theirs.name, create=True, size=8)
    finally:
        theirs.close()
        theirs.unlink()
    with pytest.raises(FileNotFoundError):
        tm_shm.SharedMemory(theirs.name)


def test_teachmp_unlink_seen_by_stdlib():
    mine = tm_shm.SharedMemory(create=True, size=8)
    mine.close()
    mine.unlink()
    with pytest.raises(FileNotFoundError):
        std_shm.SharedMemory(mine.name)


# -- ShareableList ------------------------------------------------------------------------


ITEMS = [1, 2.5, True, None, 'abc', b'xy', -7]


@pytest.fixture
def shareable(shared_memory):
    sl = shared_memory.ShareableList(ITEMS)
    yield sl
    sl.shm.close()
    sl.shm.unlink()


def test_shareable_list_reads(shareable):
    sl = shareable
    assert len(sl) == 7
    assert list(sl) == ITEMS
    assert [type(x) for x in sl] == [type(x) for x in ITEMS]
    assert sl[-1] == -7 and sl[4] == 'abc'
    with pytest.raises(IndexError):
        sl[7]
    assert sl.count(True) == 2  # 1 == True, as in a list
    assert sl.count(2.5) == 1 and sl.count('zzz') == 0
    assert sl.index('abc') == 4
    with pytest.raises(ValueError, match='not in this container'):
        sl.index(99)
    assert repr(sl) == f'ShareableList({ITEMS!r}, name={sl.shm.name!r})'
    assert sl.shm.size > 0


def test_shareable_list_writes(shareable):
    sl = shareable
    sl[0] = 42
    sl[1] = 3.75
    sl[4] = 'z'
    sl[5] = b'12345678'  # bytes and str get at least 8 bytes of room
    assert list(sl) == [42, 3.75, True, None, 'z', b'12345678', -7]
    sl[4] = 'abcdefgh'
    assert sl[4] == 'abcdefgh'
    with pytest.raises(ValueError, match='exceeds available storage'):
        sl[4] = 'abcdefghi'
    with pytest.raises(ValueError, match='exceeds available storage'):
        sl[5] = b'123456789'
    with pytest.raises(IndexError):
        sl[7] = 1
    assert list(sl) == [42, 3.75, True, None, 'abcdefgh', b'12345678', -7]


def test_shareable_list_item_changes_type(shareable):
    # a slot takes a value of another type if it fits in the slot
    sl = shareable
    sl[0] = 'str'
    sl[6] = 1.5
    assert list(sl) == ['str', 2.5, True, None, 'abc', b'xy', 1.5]


def test_shareable_list_utf8_room(shared_memory):
    # room is counted in UTF-8 bytes, rounded up to 8
    sl = shared_memory.ShareableList(['\u00e9\u00e9\u00e9', 'abc'])  # 6 bytes
    try:
        sl[0] = '\u00e9\u00e9\u00e9\u00e9'  # 8 bytes: fits
        assert sl[0] == '\u00e9\u00e9\u00e9\u00e9'
        with pytest.raises(ValueError, match='exceeds available storage'):
            sl[0] = '\u00e9\u00e9\u00e9\u00e9\u00e9'  # 10 bytes
        assert list(sl) == ['\u00e9\u00e9\u00e9\u00e9', 'abc']
    finally:
        sl.shm.close()
        sl.shm.unlink()


def test_shareable_list_attach_by_name(shared_memory, shareable):
    other = shared_memory.ShareableList(name=shareable.shm.name)
    try:
        assert list(other) == ITEMS
        other[1] = -1.5
        assert shareable[1] == -1.5
    finally:
        other.shm.close()


def test_shareable_list_empty(shared_memory):
    sl = shared_memory.ShareableList([])
    try:
        assert len(sl) == 0 and list(sl) == []
    finally:
        sl.shm.close()
        sl.shm.unlink()


def test_shareable_list_in_child(mp, impl):
    sl = shm_module(impl).ShareableList(['old', 1])
    a, b = mp.Pipe()
    try:
        p = mp.Process(target=st.set_shareable_item,
                       args=(impl.__name__, sl.shm.name, 0, 'new', b))
        p.start()
        assert recv(a) == ['new', 1]
        p.join(TIMEOUT)
        assert p.exitcode == 0
        assert list(sl) == ['new', 1]
    finally:
        a.close()
        b.close()
        sl.shm.close()
        sl.shm.unlink()


def test_nothing_left_in_dev_shm():
    # after all of the above, no test block remains (Linux)
    if not os.path.isdir('/dev/shm'):
        pytest.skip('no /dev/shm')
    left = [n for n in os.listdir('/dev/shm') if n.startswith('tmtest_') and n in _MADE_HERE]
    assert left == []


def test_pickled_by_name(shared_memory):
    # unlike locks, named blocks may travel through a pipe: only the name goes
    import pickle

    shm = shared_memory.SharedMemory(create=True, size=16)
    try:
        other = pickle.loads(pickle.dumps(shm))
        try:
            assert type(other) is type(shm)
            assert (other.name, other.size) == (shm.name, 16)
            other.buf[:2] = b'ok'
            assert bytes(shm.buf[:2]) == b'ok'
        finally:
            other.close()
        sl = shared_memory.ShareableList([1, 'a'])
        try:
            copy = pickle.loads(pickle.dumps(sl))
            try:
                assert list(copy) == [1, 'a'] and copy.shm.name == sl.shm.name
                copy[0] = 2
                assert sl[0] == 2
            finally:
                copy.shm.close()
        finally:
            sl.shm.close()
            sl.shm.unlink()
    finally:
        shm.close()
        shm.unlink()


def test_sent_through_pipe(mpmod, shared_memory):
    shm = shared_memory.SharedMemory(create=True, size=8)
    a, b = mpmod.Pipe()
    try:
        a.send(shm)
        other = recv(b)
        try:
            assert other.name == shm.name
            other.buf[0] = 7
            assert shm.buf[0] == 7
        finally:
            other.close()
    finally:
        a.close()
        b.close()
        shm.close()
        shm.unlink()
