"""The two implementations every behaviour test runs on, by name.

In a module of its own (not conftest.py) so that test files can import it:
with both ``tests/`` and ``tutorials/`` collected, the name ``conftest``
is ambiguous.
"""

import importlib

import pytest

IMPLS = {'teachmp': 'teachmp', 'stdlib': 'multiprocessing'}
START_METHODS = ('fork', 'spawn', 'forkserver')
IMPL_METHOD_PARAMS = [
    pytest.param((name, method), id=f'{name}-{method}')
    for name in IMPLS
    for method in START_METHODS
]


def load_impl(name: str):
    """Import the implementation called *name* ('teachmp' or 'stdlib')."""
    return importlib.import_module(IMPLS[name])
