"""Make ``$TEACHMP_EXAMPLES_START_METHOD`` the default start method.

``tests/examples_harness.py`` puts this directory on ``PYTHONPATH`` when
that variable is set, so every program it runs -- on the stdlib and under
``python -m teachmp run`` -- starts with that default, as if the interpreter
shipped with it (the way Python 3.14 ships with forkserver on Linux).  The
program's own ``set_start_method()`` and ``get_context()`` still work, and
``get_start_method(allow_none=True)`` is still None: only the default moves.

Nothing is imported eagerly: an import hook adjusts ``multiprocessing.context``
or ``teachmp.context`` when (and if) the program imports it.
"""

import importlib.abc
import importlib.machinery
import os
import sys

_METHOD = os.environ.get('TEACHMP_EXAMPLES_START_METHOD')
_TARGETS = {'multiprocessing.context', 'teachmp.context'}


class _Loader(importlib.abc.Loader):
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        module._default_context._default_context = module._concrete_contexts[_METHOD]


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname not in _TARGETS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


if _METHOD:
    sys.meta_path.insert(0, _Finder())
