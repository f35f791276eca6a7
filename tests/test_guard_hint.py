"""A program without the ``__main__`` guard under spawn: the child fails with
the stdlib's exception type and first line, and teachmp then adds a hint
pointing at chapter 02."""

import re

import targets


def _exception(stderr):
    """(type, first line of the message) of the exception the child printed."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r'^(\w+(?:\.\w+)*): ?(.*)$', line)
        if m and m.group(1).endswith('Error'):
            rest = [m.group(2)] + lines[i + 1:]
            first = next(text.strip() for text in rest if text.strip())
            return m.group(1), first
    raise AssertionError('no exception in:\n' + stderr)


def test_no_guard_keeps_the_stdlib_error_and_adds_a_hint():
    stdlib = targets.run_python(['no_guard.py'], impl_name='stdlib')
    for how in ('teachmp', 'run'):
        if how == 'teachmp':
            result = targets.run_python(['no_guard.py'], impl_name='teachmp')
        else:
            result = targets.run_python(['-m', 'teachmp', 'run', 'no_guard.py'])
        assert result.returncode == stdlib.returncode
        assert _exception(result.stderr) == _exception(stdlib.stderr) == (
            'RuntimeError', 'An attempt has been made to start a new process before the')
        squashed = targets.squash(result.stderr)
        assert 'chapter 02' in squashed and 'Why the guard is required' in squashed
    assert 'chapter 02' not in stdlib.stderr
