"""Things the API-surface tests hand to other processes (importable by name)."""


class Thing:
    """A small object to share through a manager."""

    def __init__(self):
        self.v = [1]

    def get(self):
        return self.v

    def add(self, x):
        self.v.append(x)
        return len(self.v)

    def pair(self):
        return (1, b'raw')

    def unsendable(self):
        return object()


def _xml_manager(managers):
    class XmlManager(managers.BaseManager):
        pass
    XmlManager.register('Thing', Thing)
    XmlManager.register('dict', dict, managers.DictProxy)
    return XmlManager


def xml_manager_class(impl_name):
    """A BaseManager subclass of the implementation, at module level (spawn)."""
    return globals()[impl_name.capitalize() + 'XmlManager']


import multiprocessing.managers  # noqa: E402
import teachmp.managers  # noqa: E402

StdlibXmlManager = _xml_manager(multiprocessing.managers)
StdlibXmlManager.__qualname__ = StdlibXmlManager.__name__ = 'StdlibXmlManager'
TeachmpXmlManager = _xml_manager(teachmp.managers)
TeachmpXmlManager.__qualname__ = TeachmpXmlManager.__name__ = 'TeachmpXmlManager'


def write_into_segments(impl_name, shm_name, list_name):
    """Attach to two segments by name and change them (run in a child)."""
    import importlib
    sm = importlib.import_module({'stdlib': 'multiprocessing', 'teachmp': 'teachmp'}[impl_name]
                                 + '.shared_memory')
    shm = sm.SharedMemory(shm_name)
    shm.buf[:3] = b'abc'
    shm.close()
    lst = sm.ShareableList(name=list_name)
    lst[0] = 42
    lst.shm.close()
