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

Use ```text, ```console or ```bash for anything that must not run, or put
``<!-- skip: next -->`` before a block.
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
TESTS = HERE.parent / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from leakcheck import fds_leaked_since, leak_check_processes, open_fds  # noqa: E402,F401

# examples are programs, not tests: never collect them
collect_ignore_glob = ["*/examples/*", "*/img/*"]

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_STATE_KEY = "__tutorial_state__"


class TutorialDocument(Document):
    """A Markdown chapter whose namespace knows the chapter's path."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text, path)
        self.namespace["__file__"] = path


def _examples_dir(namespace) -> Path | None:
    path = namespace.get("__file__")
    if not path:
        return None
    folder = Path(path).resolve().parent / "examples"
    return folder if folder.is_dir() else None


def setup(namespace):
    folder = _examples_dir(namespace)
    state = {
        "path_entry": None,
        "modules": set(sys.modules),
        "fds": open_fds(),
    }
    if folder is not None:
        entry = str(folder)
        sys.path.insert(0, entry)
        state["path_entry"] = entry
    namespace[_STATE_KEY] = state


def teardown(namespace):
    state = namespace.pop(_STATE_KEY, None)
    path = namespace.get("__file__")
    namespace.clear()
    if state is None:
        return
    entry = state["path_entry"]
    if entry is not None:
        while entry in sys.path:
            sys.path.remove(entry)
        # forget the example modules this document imported
        for name, module in list(sys.modules.items()):
            if name in state["modules"]:
                continue
            origin = getattr(module, "__file__", None) or ""
            if origin and os.path.dirname(os.path.abspath(origin)) == entry:
                del sys.modules[name]
    leaked = fds_leaked_since(state["fds"])
    if leaked:
        listing = "\n".join(f"  fd {fd} -> {target}" for fd, target in sorted(leaked.items()))
        pytest.fail(
            f"{path}: the document's code blocks left file descriptors open:\n{listing}",
            pytrace=False,
        )


pytest_collect_file = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=OPTIONFLAGS),
        DocTestDirectiveParser(optionflags=OPTIONFLAGS),
        SkipParser(),
    ],
    patterns=["*/index.md"],
    document_types={".md": TutorialDocument},
    setup=setup,
    teardown=teardown,
    fixtures=["leak_check_processes"],
).pytest()
