"""Every public name of teachmp explains itself: ``help()`` shows something.

The public surface is what a program reaches from ``import teachmp as mp``:
the names of ``teachmp.__all__`` (most of them methods of the default
context, so ``help(mp.Queue)`` shows the method's docstring), and the classes
those names make, with their public methods.  ``CLASSES`` lists the classes;
a test checks the list against what the factories really return, where that
is cheap to find out (no process is started).

teachmp's own classes and functions need a docstring; what they inherit from
the stdlib (``threading.local``, ``Exception``) is documented there.  Beyond
that surface, every public (no leading underscore) class and function of every
module, and their public methods, need one too: a reader opens the modules
(the tracer's modules, ``trace*``, too, though they are not part of the
multiprocessing API).
"""

import importlib
import inspect
import pkgutil

import pytest

import teachmp
from teachmp import (condition, connection, context, managers, pool,
                     pool_results, process, queues, sharedctypes, synchronize)

# The classes a program gets from the top-level names.
CLASSES = [
    process.BaseProcess, context.Process,
    context.BaseContext, context.DefaultContext, context.ForkContext,
    context.SpawnContext, context.ForkServerContext,
    synchronize.Lock, synchronize.RLock, synchronize.Semaphore,
    synchronize.BoundedSemaphore,
    condition.Condition, condition.Event, condition.Barrier,
    sharedctypes.Synchronized, sharedctypes.SynchronizedArray,
    sharedctypes.SynchronizedString,
    queues.Queue, queues.JoinableQueue, queues.SimpleQueue,
    connection.Connection,
    pool.Pool, pool_results.ApplyResult, pool_results.MapResult,
    pool_results.IMapIterator,
    managers.BaseManager, managers.SyncManager,
]


def _top_level_callables():
    for name in teachmp.__all__:
        obj = getattr(teachmp, name)
        if callable(obj):
            yield 'teachmp.' + name, obj


def _methods():
    seen = set()
    for cls in CLASSES:
        for name in sorted(dir(cls)):
            if name.startswith('_'):
                continue
            owner = next(k for k in cls.__mro__ if name in vars(k))
            if not owner.__module__.startswith('teachmp'):
                continue        # documented where it is defined (the stdlib)
            qualname = '%s.%s.%s' % (owner.__module__, owner.__qualname__, name)
            if qualname not in seen:
                seen.add(qualname)
                yield qualname, getattr(cls, name)


def _missing(pairs):
    return [name for name, obj in pairs if not inspect.getdoc(obj)]


def test_every_top_level_name_has_a_docstring():
    missing = _missing(_top_level_callables())
    assert not missing, 'write a docstring for: %s' % ', '.join(missing)


def test_every_public_class_has_a_docstring():
    missing = _missing(('%s.%s' % (c.__module__, c.__qualname__), c)
                       for c in CLASSES)
    assert not missing, 'write a docstring for: %s' % ', '.join(missing)


def test_every_public_method_of_a_public_class_has_a_docstring():
    missing = _missing(_methods())
    assert not missing, 'write a docstring for:\n  ' + '\n  '.join(missing)


def _module_names():
    names = ['teachmp.' + m.name for m in pkgutil.iter_modules(teachmp.__path__)]
    names += ['teachmp.dummy.connection']
    return sorted(set(names))


def _every_module_member():
    for modname in _module_names():
        module = importlib.import_module(modname)
        public = getattr(module, '__all__', None)
        for name, obj in sorted(vars(module).items()):
            if name.startswith('_') or (public is not None and name not in public):
                continue
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if getattr(obj, '__module__', None) != modname:
                continue        # imported from elsewhere: checked there
            yield '%s.%s' % (modname, name), obj
            if inspect.isclass(obj):
                for mname, member in sorted(vars(obj).items()):
                    if not mname.startswith('_') and (
                            inspect.isfunction(member)
                            or isinstance(member, (staticmethod, classmethod,
                                                   property))):
                        yield '%s.%s.%s' % (modname, name, mname), \
                            getattr(obj, mname)


def test_every_public_class_and_function_of_every_module_has_a_docstring():
    missing = _missing(_every_module_member())
    assert not missing, 'write a docstring for:\n  ' + '\n  '.join(missing)


def test_help_of_queue_says_what_it_is():
    assert 'queue' in inspect.getdoc(teachmp.Queue).lower()
    assert inspect.getdoc(queues.Queue)


@pytest.mark.parametrize('factory, cls', [
    ('Lock', synchronize.Lock), ('RLock', synchronize.RLock),
    ('Semaphore', synchronize.Semaphore),
    ('BoundedSemaphore', synchronize.BoundedSemaphore),
    ('Condition', condition.Condition), ('Event', condition.Event),
    ('Value', sharedctypes.Synchronized),
])
def test_the_class_list_matches_what_the_factories_make(factory, cls):
    obj = getattr(teachmp, factory)(*(('i',) if factory == 'Value' else ()))
    assert type(obj) is cls


def test_a_missing_docstring_is_reported():
    class Undocumented:
        def method(self):
            pass
    assert _missing([('Undocumented.method', Undocumented.method)]) == [
        'Undocumented.method']
