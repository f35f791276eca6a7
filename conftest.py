"""pytest settings shared by ``tests/`` and ``tutorials/`` (both live below).

Only one thing lives here: a repair for ``@pytest.mark.xdist_group`` in
parallel runs (``make test`` runs pytest-xdist with ``--dist loadgroup``,
see ``tools/run_tests.py``).

How xdist groups tests: in each worker, it appends ``@NAME`` to the node id
of every test marked ``xdist_group(NAME)``, and the controller sends all the
tests whose ids end in the same ``@NAME`` to one worker.  pytest-xdist 3.8
does the renaming by assigning ``item._nodeid``; since pytest 9.2 the id is
read from ``item._id`` instead, so the assignment is silently lost and the
groups are ignored (the tests of a group then run on different workers, and
a tutorial's code blocks lose their shared namespace).  The hook below does
the same renaming after xdist has had its turn, only where xdist's own did
not take, so it is a no-op on the versions where xdist works by itself.
"""

from __future__ import annotations

import pytest


def _group_names(item) -> list[str]:
    names = set()
    for mark in item.iter_markers('xdist_group'):
        names.add(str(mark.args[0] if mark.args else mark.kwargs.get('name', 'default')))
    return sorted(names)


@pytest.hookimpl(trylast=True)  # after xdist's own hook (and any marking)
def pytest_collection_modifyitems(config, items):
    if not getattr(config.option, 'loadgroup', False):
        return  # not an xdist worker running --dist loadgroup
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest < 9.2: xdist's renaming works
        return
    for item in items:
        names = _group_names(item)
        if not names or item.nodeid.endswith('@' + '_'.join(names)):
            continue
        item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")
