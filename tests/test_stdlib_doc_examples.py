"""The Python documentation's own multiprocessing examples run unmodified
on teachmp.

The programs in ``stdlib_doc_examples/`` are copied verbatim from the
``multiprocessing`` page of the Python documentation (each names its
section).  Each is run as ``python FILE`` and as
``python -m teachmp run FILE``; stdout and the exit code must match after
the usual normalisation (see ``examples_harness.py``).
"""

import re
from pathlib import Path

import pytest

from examples_harness import Options, compare_runs, params_for

HERE = Path(__file__).resolve().parent
DOC_EXAMPLES = sorted((HERE / 'stdlib_doc_examples').glob('*.py'))

_PID_WORDS = re.compile(r'(parent process|process id): (\d+)')


def relabel_pids(text: str) -> str:
    """'process id: 4711' -> 'process id: P1', numbering pids by first sight.

    Pids change from run to run, but which line shows the same pid as which
    other line does not: the child's "parent process" is the main line's
    "process id".
    """
    labels = {}

    def label(match):
        pid = match.group(2)
        labels.setdefault(pid, f'P{len(labels) + 1}')
        return f'{match.group(1)}: {labels[pid]}'

    return _PID_WORDS.sub(label, text)


@pytest.mark.parametrize('script, opts', params_for(DOC_EXAMPLES, HERE / 'stdlib_doc_examples'))
def test_doc_example(script: Path, opts):
    if not isinstance(opts, Options):
        pytest.fail(str(opts), pytrace=False)
    compare_runs(script, opts, extra_normalise=relabel_pids)


def test_relabel_pids():
    text = 'parent process: 10\nprocess id: 20\nparent process: 20\nprocess id: 30\n'
    assert relabel_pids(text) == (
        'parent process: P1\nprocess id: P2\nparent process: P2\nprocess id: P3\n'
    )


def test_doc_examples_present():
    names = {p.name for p in DOC_EXAMPLES}
    assert {
        'process_hello.py',
        'process_info.py',
        'pipe_example.py',
        'connection_doctest.py',
        'connection_wait.py',
        'pool_intro.py',
        'pool_tour.py',
        'pool_reference.py',
        'examples_mp_pool.py',
        'examples_mp_workers.py',
        'examples_mp_newtype.py',
        'spawn_queue.py',
        'spawn_context_queue.py',
        'queue_example.py',
        'manager_dict_list.py',
        'namespace_doctest.py',
        'proxy_doctest.py',
        'manager_custom_maths.py',
        'remote_queue_manager.py',
        'listener_client.py',
    } <= names
