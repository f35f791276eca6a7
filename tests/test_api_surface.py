"""Every public name of the running stdlib's multiprocessing exists in teachmp.

A missing name is an ``AttributeError`` in somebody's program, so this file
walks what the interpreter running the tests really has -- not a list
written down once -- and fails naming each name teachmp lacks:

* ``multiprocessing.__all__`` and the ``__all__`` of every submodule teachmp
  mirrors, plus the public names each submodule defines beyond its
  ``__all__`` (``managers.ListProxy`` is not in ``__all__``, yet programs
  import it);
* the public methods and attributes of the main classes (and the dunder
  methods they define: ``__enter__``, ``__iter__``, ``__or__`` ...);
* signatures: every keyword the stdlib's functions, constructors and
  methods accept, teachmp's accept, and the positional ones come in the
  same order;
* subscripting: a class the stdlib makes generic (``SimpleQueue[int]``) is
  generic in teachmp, and one it does not make generic is not;
* the version-gated API (Python 3.14's ``Process.interrupt``, ``locked``,
  ``SetProxy`` ...) exists in teachmp exactly where the stdlib has it.

What is deliberately left out is in the allow-lists below, each name with
its reason.  Run it on every interpreter: ``make test-all`` (or
``tools/test_all.py tests/test_api_surface.py``).
"""

import importlib
import inspect
import sys
import types

import pytest

import multiprocessing
import teachmp

# -- the modules -----------------------------------------------------------------

SUBMODULES = [
    'connection', 'context', 'dummy', 'dummy.connection', 'forkserver', 'heap',
    'managers', 'pool', 'popen_fork', 'popen_forkserver', 'popen_spawn_posix',
    'process', 'queues', 'reduction', 'resource_sharer', 'resource_tracker',
    'shared_memory', 'sharedctypes', 'spawn', 'synchronize', 'util',
]

# Whole stdlib modules teachmp does not have, and why.
MODULES_OUT_OF_SCOPE = {
    'popen_spawn_win32': 'Windows only (imports msvcrt)',
}

# Modules teachmp does not have *yet*: the test is an expected failure
# until the module lands, then checks it like the others.
MODULES_PENDING = {}

# Public names a stdlib submodule defines beyond its __all__ that teachmp
# leaves out: the stdlib's own implementation details (teachmp is built
# differently there), and Windows-only names.  Everything in an __all__ is
# required, except the Windows-only names in WINDOWS_ONLY.
INTERNAL_NAMES = {
    'connection': {
        'SocketListener': "the stdlib's socket-family helper behind Listener "
                          "(teachmp: teachmp.listener)",
        'SocketClient': "the stdlib's socket-family helper behind Client",
        'reduce_connection': 'pickling helper; teachmp pickles a Connection '
                             'with reduction/resource_sharer',
        'rebuild_connection': 'the other half of reduce_connection',
    },
    'heap': {
        'reduce_arena': "pickling helper of the stdlib's Arena "
                        '(teachmp: Arena.__reduce__)',
        'rebuild_arena': 'the other half of reduce_arena',
    },
    'managers': {
        'reduce_array': 'pickling registration helper (teachmp registers its own)',
        'rebuild_as_list': 'pickling registration helper for dict views',
        'view_types': 'the list of dict view types the module registers '
                      '(3.10-3.12)',
        'all_methods': "the Server's helper behind public_methods",
        'ProcessLocalSet': "a set emptied after fork, the stdlib's bookkeeping "
                           "for proxies' references",
    },
    'pool': {
        'job_counter': 'the itertools.count numbering jobs',
        'rebuild_exc': "the unpickling helper of the stdlib's ExceptionWithTraceback",
    },
    'process': {
        # 3.10 leaks the loop variable of the module's exit-code table.
        'name': 'not an API: a leaked loop variable (3.10)',
    },
    'resource_tracker': {
        'cleanup_noop': "the cleanup of the stdlib's 'noop' resource type, "
                        'which exists for its own tests (3.13)',
    },
    'sharedctypes': {
        'reduce_ctype': 'pickling helper of the generated wrappers',
        'rebuild_ctype': 'the other half of reduce_ctype',
        'make_property': "code generation for the stdlib's synchronized wrappers",
        'template': 'the source template used by make_property',
        'prop_cache': 'the cache of make_property',
        'class_cache': 'the cache of synchronized wrapper classes',
    },
    'spawn': {
        'WINEXE': 'Windows only (frozen executables)',
        'WINSERVICE': 'Windows only (pythonservice.exe)',
        'is_forking': "Windows only: recognises the stdlib's child command line",
        'spawn_main': "the stdlib's child entry point (teachmp's: spawn.main)",
        'old_main_modules': "the stdlib's list of replaced __main__ modules",
    },
    'synchronize': {
        'sem_unlink': 'named POSIX semaphores: teachmp builds semaphores from '
                      'pipes, which have no names to unlink',
        'RECURSIVE_MUTEX': "the C SemLock's kind codes (teachmp's SemLock "
                           'takes value and maxvalue)',
        'SEMAPHORE': 'the other kind code',
    },
}

# Windows-only names: the stdlib adds them to these modules' __all__ only on
# Windows (PipeConnection is a named pipe, DupHandle a duplicated HANDLE).
WINDOWS_ONLY = {
    'connection': {'PipeConnection'},
    'reduction': {'steal_handle', 'duplicate', 'DupHandle'},
}


def _stdlib(modname):
    return importlib.import_module('multiprocessing.' + modname)


def _teachmp(modname):
    return importlib.import_module('teachmp.' + modname)


def _defined_here(module, value):
    """Is ``value`` defined by ``module`` itself (not imported into it)?"""
    if isinstance(value, types.ModuleType):
        return False
    home = getattr(value, '__module__', None)
    if callable(value) and home is not None:
        return home == module.__name__
    return True     # a constant


def _public_names(module):
    """``__all__`` plus the public names the module itself defines."""
    names = set(getattr(module, '__all__', ()))
    names |= {n for n, v in vars(module).items()
              if not n.startswith('_') and _defined_here(module, v)}
    return names


def test_package_all():
    missing = sorted(n for n in multiprocessing.__all__ if not hasattr(teachmp, n))
    assert not missing, 'teachmp lacks multiprocessing.%s' % ', '.join(missing)


def test_every_stdlib_submodule_is_listed():
    """A submodule a new Python adds must be mirrored or listed as out of scope."""
    import pkgutil
    stdlib = {m.name for m in pkgutil.iter_modules(multiprocessing.__path__)}
    unknown = stdlib - set(SUBMODULES) - set(MODULES_OUT_OF_SCOPE) - {'dummy'}
    assert not unknown, ('multiprocessing has submodules this test does not '
                         'know: %s' % sorted(unknown))


@pytest.mark.parametrize('modname', SUBMODULES)
def test_submodule_names(modname):
    try:
        stdlib_mod = _stdlib(modname)
    except ImportError:
        pytest.skip('this Python has no multiprocessing.%s' % modname)
    try:
        teachmp_mod = _teachmp(modname)
    except ImportError:
        if modname in MODULES_PENDING:
            pytest.xfail(MODULES_PENDING[modname])
        raise
    windows = WINDOWS_ONLY.get(modname, set())
    # Everything in __all__ is required; beyond it, what is not internal.
    required = set(getattr(stdlib_mod, '__all__', ())) | (
        _public_names(stdlib_mod) - set(INTERNAL_NAMES.get(modname, ())))
    missing = sorted(n for n in required - windows if not hasattr(teachmp_mod, n))
    assert not missing, 'teachmp.%s lacks %s' % (modname, ', '.join(missing))


def test_allow_list_names_are_real():
    """An allow-listed name the stdlib does not have is a stale entry
    (unless its reason says which versions have it, like "(3.10)")."""
    stale = []
    for modname, names in INTERNAL_NAMES.items():
        mod = _stdlib(modname)
        for name in names:
            if not hasattr(mod, name) and '(3.1' not in names[name]:
                stale.append('%s.%s' % (modname, name))
    assert not stale, 'allow-list entries the stdlib does not have: %s' % stale


# -- the classes -------------------------------------------------------------------

CLASSES = [
    'process.BaseProcess',
    'context.BaseContext', 'context.DefaultContext', 'context.ForkContext',
    'context.SpawnContext', 'context.ForkServerContext', 'context.ForkProcess',
    'context.SpawnProcess', 'context.ForkServerProcess', 'context.Process',
    'queues.Queue', 'queues.JoinableQueue', 'queues.SimpleQueue',
    'pool.Pool', 'pool.ThreadPool', 'pool.ApplyResult', 'pool.AsyncResult',
    'pool.MapResult', 'pool.IMapIterator', 'pool.IMapUnorderedIterator',
    'pool.RemoteTraceback', 'pool.ExceptionWithTraceback', 'pool.MaybeEncodingError',
    'connection.Connection', 'connection.Listener',
    'synchronize.Lock', 'synchronize.RLock', 'synchronize.Semaphore',
    'synchronize.BoundedSemaphore', 'synchronize.Condition', 'synchronize.Event',
    'synchronize.Barrier',
    'managers.BaseManager', 'managers.SyncManager', 'managers.SharedMemoryManager',
    'managers.Server', 'managers.Token', 'managers.Namespace', 'managers.RemoteError',
    'managers.BaseProxy', 'managers.ListProxy', 'managers.BaseListProxy',
    'managers.DictProxy', 'managers.ValueProxy', 'managers.NamespaceProxy',
    'managers.AcquirerProxy', 'managers.ConditionProxy', 'managers.EventProxy',
    'managers.BarrierProxy', 'managers.PoolProxy', 'managers.IteratorProxy',
    'managers.ArrayProxy', 'managers.SetProxy',
    'shared_memory.SharedMemory', 'shared_memory.ShareableList',
    'heap.BufferWrapper',
    'sharedctypes.Synchronized', 'sharedctypes.SynchronizedArray',
    'sharedctypes.SynchronizedString',
    'dummy.DummyProcess', 'dummy.connection.Connection', 'dummy.connection.Listener',
]

# Attributes that every class has or that the stdlib's way of building its
# classes leaves behind; they are not API.
NOT_API = {
    '__dict__', '__weakref__', '__module__', '__doc__', '__qualname__',
    '__slots__', '__annotations__', '__firstlineno__', '__static_attributes__',
    '__abstractmethods__', '__parameters__', '__orig_bases__', '__init_subclass__',
    '__subclasshook__', '__annotate__', '__annotations_cache__',
    # MakeProxyType builds methods with exec() in the class namespace, which
    # leaves the builtins dict there.
    '__builtins__',
}

# Class attributes left out on purpose, and why.
CLASS_NAMES_OUT_OF_SCOPE = {
    'managers.SharedMemoryManager': {
        '__del__': 'the stdlib only writes a debug log line there',
    },
}


def _resolve(root, path):
    obj = root
    for part in path.split('.'):
        obj = getattr(obj, part)
    return obj


def _class_pair(path):
    modname, _, clsname = path.rpartition('.')
    try:
        stdlib_cls = getattr(_stdlib(modname), clsname)
    except (ImportError, AttributeError):
        pytest.skip('this Python has no multiprocessing.%s' % path)
    teachmp_mod = _teachmp(modname)
    assert hasattr(teachmp_mod, clsname), 'teachmp.%s is missing' % path
    return stdlib_cls, getattr(teachmp_mod, clsname)


def _has(obj, name):
    """``hasattr``, except that a class does not count the methods of its
    metaclass: every class has ``type.__or__`` (``int | str``), which says
    nothing about ``DictProxy() | {}``."""
    if isinstance(obj, type):
        return any(name in vars(klass) for klass in obj.__mro__)
    return hasattr(obj, name)


def _class_api(cls):
    """Public names, and the dunders the class (or a non-builtin base) defines."""
    names = {n for n in dir(cls) if not n.startswith('_')}
    for klass in inspect.getmro(cls):
        if klass.__module__ == 'builtins':
            continue
        names |= {n for n in vars(klass)
                  if n.startswith('__') and n.endswith('__') and n not in NOT_API}
    return names


@pytest.mark.parametrize('path', CLASSES)
def test_class_names(path):
    stdlib_cls, teachmp_cls = _class_pair(path)
    allowed = CLASS_NAMES_OUT_OF_SCOPE.get(path, {})
    missing = sorted(n for n in _class_api(stdlib_cls)
                     if not _has(teachmp_cls, n) and n not in allowed)
    assert not missing, 'teachmp.%s lacks %s' % (path, ', '.join(missing))


@pytest.mark.parametrize('path', CLASSES)
def test_class_subscripting(path):
    """Generic exactly where the stdlib's class is (``Queue[int]`` from 3.12)."""
    stdlib_cls, teachmp_cls = _class_pair(path)
    stdlib_generic = hasattr(stdlib_cls, '__class_getitem__')
    assert hasattr(teachmp_cls, '__class_getitem__') == stdlib_generic, (
        "teachmp.%s must %sbe subscriptable on this Python, like the stdlib's"
        % (path, '' if stdlib_generic else 'not '))
    if stdlib_generic:
        alias = teachmp_cls[int]
        assert isinstance(alias, types.GenericAlias)
        assert alias.__origin__ is teachmp_cls and alias.__args__ == (int,)


# -- names that depend on the Python version ------------------------------------

# (where, name): teachmp must have the name exactly when the running stdlib
# has it, so that ``hasattr`` tests in a program choose the same path.
VERSION_GATED = [
    ('process.BaseProcess', 'interrupt'),                       # 3.14
    ('synchronize.Lock', 'locked'), ('synchronize.RLock', 'locked'),
    ('synchronize.Semaphore', 'locked'), ('synchronize.BoundedSemaphore', 'locked'),
    ('managers.AcquirerProxy', 'locked'), ('managers.ConditionProxy', 'locked'),
    ('managers.SyncManager', 'set'), ('managers', 'SetProxy'),
    ('managers.ListProxy', 'clear'), ('managers.ListProxy', 'copy'),
    ('managers.DictProxy', 'fromkeys'), ('managers.DictProxy', '__reversed__'),
    ('managers.DictProxy', '__or__'), ('managers.DictProxy', '__ror__'),
    ('managers.DictProxy', '__ior__'),
    ('util', 'warn'), ('util', 'WARNING'),
    ('connection', 'CHALLENGE'), ('connection', 'WELCOME'),    # public until 3.11
    ('connection', 'FAILURE'),
    ('resource_tracker', 'ReentrantCallError'),                 # 3.11.6
    ('queues.Queue', '__class_getitem__'),                      # 3.12
    ('managers.DictProxy', '__class_getitem__'),                # 3.13
    ('managers.ListProxy', '__class_getitem__'),
]


@pytest.mark.parametrize('where,name', VERSION_GATED,
                         ids=['%s.%s' % pair for pair in VERSION_GATED])
def test_version_gated_name(where, name):
    stdlib_has = _has(_resolve(multiprocessing, where), name)
    teachmp_has = _has(_resolve(teachmp, where), name)
    assert teachmp_has == stdlib_has, '%s.%s: stdlib %s it, teachmp %s' % (
        where, name, 'has' if stdlib_has else 'lacks',
        'has' if teachmp_has else 'lacks')


def test_util_all_follows_the_version():
    """``util.__all__`` gains ``warn`` in 3.14, in both."""
    import multiprocessing.util
    import teachmp.util
    assert ('warn' in teachmp.util.__all__) == ('warn' in multiprocessing.util.__all__)


def test_forkserver_preload_on_error_follows_the_version():
    """``on_error=`` (3.15) is accepted exactly where the stdlib accepts it."""
    stdlib = 'on_error' in inspect.signature(
        multiprocessing.context.BaseContext.set_forkserver_preload).parameters
    ctx = teachmp.get_context('forkserver')
    from teachmp import forkserver
    saved = forkserver._forkserver._preload_modules, forkserver._forkserver._preload_on_error
    try:
        try:
            ctx.set_forkserver_preload(['__main__'], on_error='ignore')
            accepted = True
        except TypeError:
            accepted = False
    finally:
        forkserver._forkserver._preload_modules, forkserver._forkserver._preload_on_error = saved
    assert accepted == stdlib


@pytest.mark.skipif(sys.platform != 'linux', reason='checked where it runs')
def test_surface_walk_would_see_a_missing_name(monkeypatch):
    """The walk is not vacuous: hide a name and the check reports it."""
    import teachmp.pool
    monkeypatch.delattr(teachmp.pool.Pool, 'starmap_async')
    stdlib_cls, teachmp_cls = _class_pair('pool.Pool')
    missing = [n for n in _class_api(stdlib_cls) if not _has(teachmp_cls, n)]
    assert missing == ['starmap_async']


# -- behaviour of the names this surface brought in ----------------------------

from impls import IMPLS, load_impl  # noqa: E402


def _write_into(view_owner, data):
    view_owner.create_memoryview()[:len(data)] = data


@pytest.mark.parametrize('impl', list(IMPLS))
def test_buffer_wrapper_is_shared_with_a_forked_child(impl):
    mp = load_impl(impl)
    heap = importlib.import_module(IMPLS[impl] + '.heap')
    wrapper = heap.BufferWrapper(13)
    view = wrapper.create_memoryview()
    assert (len(view), view.format, view.readonly) == (13, 'B', False)
    # (no assertion on the initial bytes: the stdlib's heap reuses freed
    # blocks of its arenas, so a new wrapper may hold an old one's bytes)
    p = mp.get_context('fork').Process(target=_write_into, args=(wrapper, b'hello'))
    p.start()
    p.join(30)
    assert p.exitcode == 0
    assert bytes(view[:5]) == b'hello'
    view.release()
    assert len(heap.BufferWrapper(0).create_memoryview()) == 0
    with pytest.raises(ValueError):
        heap.BufferWrapper(-1)
    with pytest.raises(OverflowError):
        heap.BufferWrapper(sys.maxsize)


@pytest.mark.parametrize('impl', list(IMPLS))
def test_server_fallback_mapping_can_be_extended(impl):
    """``Server.fallback_mapping`` answers what a proxy asks beyond exposed."""
    managers = importlib.import_module(IMPLS[impl] + '.managers')
    server_cls = managers.Server
    assert set(server_cls.fallback_mapping) == {'__str__', '__repr__', '#GETVALUE'}
    assert server_cls.fallback_mapping['__str__'](None, None, 'id', [1]) == '[1]'
    assert server_cls.fallback_mapping['__repr__'](None, None, 'id', 'x') == "'x'"
    obj = object()
    assert server_cls.fallback_mapping['#GETVALUE'](None, None, 'id', obj) is obj


# -- signatures: the stdlib's keywords work on teachmp ---------------------------

# Parameters whose names differ on purpose, and why.
SIGNATURES_OUT_OF_SCOPE = {
    # The server's request handlers get the client's connection first,
    # always positionally, from the server itself.
    **{'managers.Server.%s' % name: "the connection argument ('c' in the "
       "stdlib), passed positionally by the server"
       for name in ('accept_connection', 'debug_info', 'decref', 'dummy',
                    'get_methods', 'incref', 'number_of_objects', 'shutdown')},
    'dummy.connection.Connection()': "the stdlib's parameters are private "
                                     "(_in, _out): nobody passes them by name",
}


def _keyword_params(func):
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None     # a builtin without a signature: nothing to compare
    return [p for p in sig.parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _signature_gap(label, stdlib_func, teachmp_func):
    """What a call that works on the stdlib's function would lack on teachmp's."""
    if label in SIGNATURES_OUT_OF_SCOPE:
        return None
    theirs, ours = _keyword_params(stdlib_func), _keyword_params(teachmp_func)
    if theirs is None or ours is None:
        return None
    if any(p.kind == p.VAR_KEYWORD for p in
           inspect.signature(teachmp_func).parameters.values()):
        ours_names = None       # **kwargs takes any keyword
    else:
        ours_names = {p.name for p in ours}
    missing = [] if ours_names is None else [
        p.name for p in theirs if p.name not in ours_names]
    positional = [p.name for p in theirs if p.kind == p.POSITIONAL_OR_KEYWORD]
    ours_positional = [p.name for p in ours if p.kind == p.POSITIONAL_OR_KEYWORD]
    if missing or ours_positional[:len(positional)] != positional:
        return '%s: stdlib (%s), teachmp (%s)' % (
            label, ', '.join(p.name for p in theirs), ', '.join(p.name for p in ours))
    return None


@pytest.mark.parametrize('modname', [''] + SUBMODULES)
def test_function_signatures(modname):
    try:
        stdlib_mod = _stdlib(modname) if modname else multiprocessing
        teachmp_mod = _teachmp(modname) if modname else teachmp
    except ImportError:
        pytest.skip('no such module here (see test_submodule_names)')
    gaps = []
    for name in getattr(stdlib_mod, '__all__', ()):
        theirs, ours = getattr(stdlib_mod, name, None), getattr(teachmp_mod, name, None)
        if callable(theirs) and not inspect.isclass(theirs) and callable(ours):
            gaps.append(_signature_gap('%s.%s' % (modname or 'multiprocessing', name),
                                       theirs, ours))
    gaps = [g for g in gaps if g]
    assert not gaps, 'teachmp takes other arguments:\n' + '\n'.join(gaps)


@pytest.mark.parametrize('path', CLASSES)
def test_method_signatures(path):
    stdlib_cls, teachmp_cls = _class_pair(path)
    gaps = [_signature_gap(path + '()', stdlib_cls, teachmp_cls)]
    for name in sorted(_class_api(stdlib_cls)):
        theirs = inspect.getattr_static(stdlib_cls, name, None)
        if not inspect.isfunction(theirs) or name.startswith('__'):
            continue
        ours = getattr(teachmp_cls, name, None)
        if callable(ours):
            gaps.append(_signature_gap('%s.%s' % (path, name),
                                       getattr(stdlib_cls, name), ours))
    gaps = [g for g in gaps if g]
    assert not gaps, 'teachmp takes other arguments:\n' + '\n'.join(gaps)


@pytest.mark.parametrize('impl', list(IMPLS))
def test_proxy_base_classes(impl):
    """The bases the stdlib exposes are the bases of its proxies, in both."""
    managers = importlib.import_module(IMPLS[impl] + '.managers')
    assert issubclass(managers.ListProxy, managers.BaseListProxy)
    assert issubclass(managers.PoolProxy, managers.BasePoolProxy)
    assert issubclass(managers.BaseListProxy, managers.BaseProxy)
    assert 'append' in managers.BaseListProxy._exposed_
    assert 'map_async' in managers.BasePoolProxy._exposed_


def test_reentrant_call_into_the_tracker_is_refused(monkeypatch):
    """A call into the tracker from inside itself (a finalizer the GC runs
    while the tracker starts) raises instead of waiting forever for a lock
    its own thread holds (the stdlib's behaviour since 3.11.6, gh-109593)."""
    from teachmp import resource_tracker
    tracker = resource_tracker.ResourceTracker()
    monkeypatch.setattr(tracker, '_start', tracker.ensure_running)
    with pytest.raises(RuntimeError, match='Reentrant call') as info:
        tracker.ensure_running()
    assert type(info.value).__name__ == 'ReentrantCallError'
    assert tracker._busy is False       # reset: the next call may start it


@pytest.mark.parametrize('name,abc', [('ListProxy', 'MutableSequence'),
                                      ('DictProxy', 'MutableMapping')])
def test_proxies_are_registered_with_their_abc_like_the_stdlib(name, abc):
    """From 3.14 the list and dict proxies count as MutableSequence and
    MutableMapping (``isinstance(d, Mapping)`` in a program); before, not."""
    import collections.abc
    import multiprocessing.managers
    import teachmp.managers
    base = getattr(collections.abc, abc)
    assert (issubclass(getattr(teachmp.managers, name), base)
            == issubclass(getattr(multiprocessing.managers, name), base))
