"""Every chapter example behaves the same on the stdlib and on teachmp.

Each ``tutorials/*/examples/*.py`` is run as ``python example.py`` and as
``python -m teachmp run example.py`` (working directory: the examples
folder); stdout and the exit code must match after normalisation.  See
``examples_harness.py`` for the rules and the ``# example:`` header
directives.
"""

from pathlib import Path

import pytest

from examples_harness import ROOT, Options, compare_runs, params_for

EXAMPLES = sorted((ROOT / 'tutorials').glob('*/examples/*.py'))


@pytest.mark.parametrize('script, opts', params_for(EXAMPLES, ROOT / 'tutorials'))
def test_example(script: Path, opts):
    if not isinstance(opts, Options):  # the header could not be parsed
        pytest.fail(str(opts), pytrace=False)
    compare_runs(script, opts)


def test_examples_were_found():
    assert EXAMPLES, 'no tutorials/*/examples/*.py found'
