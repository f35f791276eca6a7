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


# -- for the Python 3.14 API (tests/test_api_3_14.py) --------------------------

def sleep_after_ready(conn, seconds=30):
    """Say we are running, then sleep (until SIGINT ends us)."""
    import time
    conn.send('ready')
    conn.close()
    time.sleep(seconds)


def exit_3_on_interrupt(conn, seconds=30):
    """Like sleep_after_ready, but handle KeyboardInterrupt: exit code 3."""
    import sys
    try:
        sleep_after_ready(conn, seconds)
    except KeyboardInterrupt:
        sys.exit(3)


def hold_lock(lock, held, done):
    """Take ``lock``, say so, keep it until ``done`` is set."""
    lock.acquire()
    held.set()
    done.wait(30)
    lock.release()


def print_kwargs(*args, **kwargs):
    print('args=%r kwargs=%r' % (args, kwargs), flush=True)
