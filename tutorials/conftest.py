"""Run the chapters' code blocks with pytest, through Sybil.

Every fenced ```python block of ``tutorials/*/index.md`` runs (blocks that
start with ``>>>`` are doctests: their output is checked), as do MyST
``{doctest}`` directives.  The blocks of one document share a namespace and
run in order.  While a document runs, its chapter's ``examples/`` folder is
on ``sys.path`` (so a block can ``from zombies import quick`` and send
``quick`` to a spawned child), and the example modules it imported are
forgotten afterwards (two chapters may both have a ``hello.py``).

Leak check: after every block, no child process and no thread may be left
(``tests/leakcheck.py``); file descriptors are checked once per document,
after its namespace has been cleared.

Every document runs twice: as written, on the stdlib (test ids
``sybil:stdlib,line:N``), and with ``import multiprocessing`` giving teachmp
(``sybil:teachmp,line:N``), the way ``python -m teachmp run`` does it.  The
name ``TEACHMP`` (True/False) is defined in the blocks' namespace, so a block
whose output only the stdlib gives can be skipped for teachmp with::

    % skip: next if(TEACHMP, reason="teachmp has no forkserver")

(``next`` covers one example: a ``>>>`` block is one example per ``>>>``
line, so wrap such a block in ``% skip: start if(TEACHMP, reason="...")``
... ``% skip: end`` instead.  MyST comment lines (``%``) do not show in
the rendered page nor in the .po files.)

Use ```text, ```console or ```bash for anything that must not run, or put
``% skip: next`` before a block.

Parallel runs (``make test`` uses pytest-xdist): all blocks of one document,
both Sybils, are one ``xdist_group``, so they run on one worker, in order,
in one namespace (see :func:`pytest_collection_modifyitems`).
"""

from __future__ import annotations

import doctest
import os
import sys
from pathlib import Path

import pytest
from sybil import Document, Sybil
from sybil.parsers.myst import (
    DocTestDirectiveParser,
    PythonCodeBlockParser,
    SkipParser,
)

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / 'tests'
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from leakcheck import fds_leaked_since, leak_check_processes, open_fds  # noqa: E402,F401

# examples are programs, not tests: never collect them
collect_ignore_glob = ['*/examples/*', '*/img/*']

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_STATE_KEY = '__tutorial_state__'


class TutorialDocument(Document):
    """A Markdown chapter whose namespace knows the chapter's path."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text, path)
        self.namespace['__file__'] = path


def _examples_dir(namespace) -> Path | None:
    path = namespace.get('__file__')
    if not path:
        return None
    folder = Path(path).resolve().parent / 'examples'
    return folder if folder.is_dir() else None


# per document: what setup() changed, shared by the document's two Sybils
# (stdlib and teachmp), undone when the last of them tears down
_DOCUMENTS: dict[str, dict] = {}


def setup(namespace):
    path = namespace['__file__']
    state = _DOCUMENTS.get(path)
    if state is None:
        folder = _examples_dir(namespace)
        state = _DOCUMENTS[path] = {
            'users': 0,
            'path_entry': str(folder) if folder is not None else None,
            'modules': set(sys.modules),
            'fds': open_fds(),
        }
        if state['path_entry'] is not None:
            sys.path.insert(0, state['path_entry'])
    state['users'] += 1


def _forget_example_modules(entry: str, keep=()) -> dict:
    """Remove the modules loaded from folder *entry*; return them."""
    removed = {}
    for name, module in list(sys.modules.items()):
        if name in keep:
            continue
        origin = getattr(module, '__file__', None) or ''
        if origin and os.path.dirname(os.path.abspath(origin)) == entry:
            removed[name] = sys.modules.pop(name)
    return removed


def teardown(namespace):
    path = namespace.get('__file__')
    namespace.clear()
    state = _DOCUMENTS.get(path)
    if state is None:
        return
    state['users'] -= 1
    if state['users'] > 0:
        return
    del _DOCUMENTS[path]
    entry = state['path_entry']
    if entry is not None:
        while entry in sys.path:
            sys.path.remove(entry)
        # forget the example modules this document imported
        _forget_example_modules(entry, keep=state['modules'])
    leaked = fds_leaked_since(state['fds'])
    if leaked:
        listing = '\n'.join(f'  fd {fd} -> {target}' for fd, target in sorted(leaked.items()))
        pytest.fail(
            f"{path}: the document's code blocks left file descriptors open:\n{listing}",
            pytrace=False,
        )


def _is_multiprocessing(name: str) -> bool:
    return name == 'multiprocessing' or name.startswith('multiprocessing.')


@pytest.fixture
def teachmp_alias(request):
    """Run one code block with ``import multiprocessing`` giving teachmp.

    The same mechanism as ``python -m teachmp run`` (teachmp.runner), undone
    after the block: the stdlib modules go back into ``sys.modules``.  The
    chapter's example modules are kept in two sets, one per side, so a
    teachmp block never sees an example module that imported the stdlib.
    """
    from teachmp import runner

    document_path = request.node.example.document.path
    entry = str(Path(document_path).resolve().parent / 'examples')
    file_node = request.node.parent
    teachmp_side = getattr(file_node, '_teachmp_example_modules', {})

    stdlib_mp = {n: sys.modules.pop(n) for n in list(sys.modules) if _is_multiprocessing(n)}
    stdlib_side = _forget_example_modules(entry)
    sys.modules.update(teachmp_side)
    runner.install_alias()
    try:
        yield
    finally:
        for name in [n for n in sys.modules if _is_multiprocessing(n)]:
            del sys.modules[name]
        sys.meta_path[:] = [
            f for f in sys.meta_path if not isinstance(f, runner._AliasFinder)
        ]
        file_node._teachmp_example_modules = _forget_example_modules(entry)
        sys.modules.update(stdlib_mp)
        sys.modules.update(stdlib_side)


PARSERS = [
    PythonCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
    DocTestDirectiveParser(optionflags=OPTIONFLAGS),
    SkipParser(),
]

def setup_stdlib(namespace):
    namespace['TEACHMP'] = False
    setup(namespace)


def setup_teachmp(namespace):
    namespace['TEACHMP'] = True
    setup(namespace)


# Every document runs twice: as written (the stdlib), and with
# ``import multiprocessing`` giving teachmp.  Test ids: sybil:stdlib,line:N
# and sybil:teachmp,line:N.  A block whose output is stdlib-only (say,
# ``get_all_start_methods()`` listing forkserver) is wrapped in
#     % skip: start if(TEACHMP, reason="teachmp has no forkserver")
#     ...
#     % skip: end
_COMMON = dict(
    parsers=PARSERS,
    patterns=['*/index.md'],
    document_types={'.md': TutorialDocument},
    teardown=teardown,
)
@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks
def pytest_collection_modifyitems(config, items):
    """One xdist group per document: its blocks depend on each other."""
    for item in items:
        path = Path(str(item.path))
        if path.suffix == '.md' and path.is_relative_to(HERE):
            group = 'tutorial:' + path.relative_to(HERE).as_posix()
            item.add_marker(pytest.mark.xdist_group(group))


pytest_collect_file = (
    Sybil(name='stdlib', setup=setup_stdlib,
          fixtures=['leak_check_processes'], **_COMMON)
    + Sybil(name='teachmp', setup=setup_teachmp,
            fixtures=['leak_check_processes', 'teachmp_alias'], **_COMMON)
).pytest()
