"""SharedMemoryManager (segments unlinked at shutdown) and the generic
classes of managers and shared_memory, on both implementations."""

import importlib
import sys

import pytest

import surface_targets


def test_segments_live_while_the_manager_does(mp, impl, impl_name):
    managers = importlib.import_module(impl.__name__ + '.managers')
    sm = importlib.import_module(impl.__name__ + '.shared_memory')
    with managers.SharedMemoryManager(ctx=mp) as smm:
        shm = smm.SharedMemory(16)
        lst = smm.ShareableList([1, 'two', None])
        assert shm.size >= 16 and list(lst) == [1, 'two', None]
        p = mp.Process(target=surface_targets.write_into_segments,
                       args=(impl_name, shm.name, lst.shm.name))
        p.start()
        p.join(20)
        assert p.exitcode == 0
        assert bytes(shm.buf[:3]) == b'abc' and lst[0] == 42
        names = [shm.name, lst.shm.name]
        shm.close()
        lst.shm.close()
    for name in names:              # the server unlinked them at shutdown
        with pytest.raises(FileNotFoundError):
            sm.SharedMemory(name)


def test_shared_memory_manager_names(mpmod):
    managers = importlib.import_module(mpmod.__name__ + '.managers')
    assert 'SharedMemoryManager' in managers.__all__
    server = managers.SharedMemoryServer
    for name in ('track_segment', 'release_segment', 'list_segments'):
        assert name in server.public
    smm = managers.SharedMemoryManager()
    assert callable(smm.SharedMemory) and callable(smm.ShareableList)
    # get_server gives a server to run in this process
    s = smm.get_server()
    s.listener.close()


def test_generic_classes(mpmod):
    managers = importlib.import_module(mpmod.__name__ + '.managers')
    sm = importlib.import_module(mpmod.__name__ + '.shared_memory')
    assert managers.ValueProxy[int].__origin__ is managers.ValueProxy
    assert sm.ShareableList[int].__origin__ is sm.ShareableList
    for cls in (managers.ListProxy, managers.DictProxy):
        assert hasattr(cls, '__class_getitem__') == (sys.version_info >= (3, 13))
