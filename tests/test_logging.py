"""get_logger / log_to_stderr and the lifecycle messages processes log.

Logging configuration is global to a process, so anything that calls
``log_to_stderr`` runs in a fresh interpreter (tests/programs/log_lifecycle.py)
and its output on the stdlib is the expectation.
"""

from __future__ import annotations

import functools
import logging
import re

import pytest

import targets
from impls import START_METHODS

LINE = re.compile(r'^\[([^/\]]+)/([^\]]+)\] (.*)$')
TEMP_DIR = re.compile(r'created temp directory \S+')


def test_levels(mpmod):
    assert mpmod.SUBDEBUG == 5
    assert mpmod.SUBWARNING == 25
    assert logging.DEBUG > mpmod.SUBDEBUG
    assert logging.INFO < mpmod.SUBWARNING < logging.WARNING


def test_get_logger(mpmod):
    logger = mpmod.get_logger()
    assert isinstance(logger, logging.Logger)
    assert mpmod.get_logger() is logger
    # named after the package: 'multiprocessing' for the stdlib
    assert logger.name == mpmod.__name__
    assert not logger.propagate  # library internals stay off the root logger
    assert mpmod.get_context('spawn').get_logger() is logger


@functools.lru_cache(maxsize=None)
def run_log_program(which, method, level='20'):
    result = targets.run_python(['log_lifecycle.py', method, level], impl_name=which)
    assert result.returncode == 0, result.stderr
    return result


def by_process(stderr):
    """{process name: [(level, message), ...]} in the order they were logged."""
    lines = {}
    for raw in stderr.splitlines():
        m = LINE.match(raw)
        assert m, f'unexpected line on stderr: {raw!r}'
        level, proc, message = m.groups()
        # a temporary directory (forkserver's socket) has a random name
        message = TEMP_DIR.sub('created temp directory TEMPDIR', message)
        lines.setdefault(proc, []).append((level, message))
    return lines


def drop_racy(groups):
    # Whether the main process still finds the just-terminated daemon among
    # its active children (and logs that it joins it) is a race.
    # The program's own SUBWARNING line is checked by
    # test_user_messages_at_every_level, not here.
    groups = dict(groups)
    groups['MainProcess'] = [
        entry for entry in groups.get('MainProcess', [])
        if entry != ('INFO', 'calling join() for process daemon')
        and entry[1] != 'a subwarning'
    ]
    return groups


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
@pytest.mark.parametrize('method', START_METHODS)
def test_lifecycle_messages_at_info(which, method):
    result = run_log_program(which, method)
    expected = run_log_program('stdlib', method)
    assert result.stdout == expected.stdout
    got = drop_racy(by_process(result.stderr))
    want = drop_racy(by_process(expected.stderr))
    assert got == want
    # what the stdlib says, for the record (3.10-3.13; the order of the last
    # two lines changed in 3.13, the comparison above follows the running one)
    assert want['worker'][:2] == [
        ('INFO', 'child process calling self.run()'),
        ('INFO', 'hello from worker'),
    ]
    assert sorted(want['worker'][2:]) == [
        ('INFO', 'process exiting with exitcode 0'),
        ('INFO', 'process shutting down'),
    ]
    assert ('INFO', 'process shutting down') in want['MainProcess']
    assert ('INFO', 'calling terminate() for daemon daemon') in want['MainProcess']
    assert want['daemon'] == [('INFO', 'child process calling self.run()')]


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
def test_log_to_stderr_handler(which):
    out = run_log_program(which, 'fork').stdout.splitlines()
    assert out[:3] == run_log_program('stdlib', 'fork').stdout.splitlines()[:3]
    assert out[0] == 'same logger: True'
    assert out[1] == 'level: 20 propagate: False'
    assert out[2] == (
        "handlers: [('StreamHandler', '[%(levelname)s/%(processName)s] %(message)s', True)]"
    )


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
def test_user_messages_at_every_level(which):
    """At level SUBDEBUG the program's own messages show with the same level
    names as the stdlib (which does not register names for 5 and 25)."""
    result = run_log_program(which, 'fork', '5')
    expected = run_log_program('stdlib', 'fork', '5')

    def mine(stderr):
        wanted = {'a subwarning', 'a subdebug', 'a debug', 'hello from worker'}
        return [
            m.groups() for m in map(LINE.match, stderr.splitlines())
            if m and m.group(3) in wanted
        ]

    assert mine(result.stderr) == mine(expected.stderr)
    assert len(mine(expected.stderr)) == 4
