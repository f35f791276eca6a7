"""``python -m teachmp run script.py [args]``: an unmodified program on teachmp.

The program (tests/programs/run_probe.py) says ``import multiprocessing``; run
as ``python run_probe.py`` it uses the stdlib, run under ``python -m teachmp
run`` every ``multiprocessing`` it (and its fork and spawn children) imports
must be teachmp.  Apart from that module name, the output and the exit code
must be the stdlib's.
"""

from __future__ import annotations

import functools

import pytest

import targets

ARGS = ('--flag', '-x', 'two words', '')


@functools.lru_cache(maxsize=None)
def probe(which, code):
    return targets.run_program(which, 'run_probe.py', code, *ARGS)


def as_stdlib(text):
    return text.replace('teachmp', 'multiprocessing')


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
def test_multiprocessing_resolves_to_teachmp(which):
    result = probe(which, '0')
    expected = probe('stdlib', '0')
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    name = 'multiprocessing' if which == 'stdlib' else 'teachmp'
    assert f'module {name}' in lines
    assert f'submodule {name}.connection' in lines
    assert f"fork ('__main__', '{name}', '{name}', '{name}.connection', 'fork-child')" in lines
    assert (
        f"spawn ('__mp_main__', '{name}', '{name}', '{name}.connection', 'spawn-child')" in lines
    )
    assert as_stdlib(result.stdout) == expected.stdout


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
def test_script_sees_its_arguments_and_itself(which):
    lines = probe(which, '0').stdout.splitlines()
    assert lines[0] == 'argv ' + repr(['0', *ARGS])
    assert 'argv0 is this file True' in lines
    assert 'name __main__ __main__' in lines
    assert 'file run_probe.py' in lines
    assert 'spec None' in lines  # as for any script run by path
    assert 'path0 True' in lines  # the script's directory is sys.path[0]
    assert 'same Pipe True' in lines


@pytest.mark.parametrize('which', ['stdlib', 'teachmp'])
@pytest.mark.parametrize(
    'code, returncode, stderr_tail',
    [
        ('3', 3, None),
        ('a message', 1, 'a message'),
        ('raise', 1, "KeyError: 'raised by the program'"),
    ],
    ids=['exit-3', 'exit-str', 'exception'],
)
def test_exit_code_propagates(which, code, returncode, stderr_tail):
    result = probe(which, code)
    expected = probe('stdlib', code)
    assert result.returncode == expected.returncode == returncode, result.stderr
    assert as_stdlib(result.stdout) == expected.stdout
    if stderr_tail is not None:
        assert result.stderr.strip().splitlines()[-1] == stderr_tail
        assert expected.stderr.strip().splitlines()[-1] == stderr_tail
    if code == 'raise':
        assert 'Traceback (most recent call last):' in result.stderr
        assert 'run_probe.py", line' in result.stderr


def test_missing_script_fails():
    std = targets.run_python(['no_such_script.py'], impl_name='stdlib')
    mine = targets.run_python(['-m', 'teachmp', 'run', 'no_such_script.py'])
    assert std.returncode != 0
    assert mine.returncode != 0
    assert 'no_such_script.py' in mine.stderr


def test_help_lists_the_commands():
    result = targets.run_python(['-m', 'teachmp', '--help'])
    assert result.returncode == 0, result.stderr
    assert 'run' in result.stdout.split()
    run_help = targets.run_python(['-m', 'teachmp', 'run', '--help'])
    assert run_help.returncode == 0, run_help.stderr
    assert 'usage' in run_help.stdout.lower()



def test_the_traceback_starts_at_the_program_as_with_python():
    # "python run_probe.py" shows no frame of Python's own start-up; "python -m
    # teachmp run" must not show runpy's, teachmp/__main__.py's or runner.py's.
    result = probe('teachmp', 'raise')
    expected = probe('stdlib', 'raise')
    assert result.returncode == expected.returncode == 1
    assert as_stdlib(result.stderr) == expected.stderr
    for frame in ('runpy', '__main__.py', 'runner.py'):
        assert frame not in result.stderr


@pytest.mark.parametrize('source', ['def broken(:\n', 'import multiprocessing\n1 / 0\n'])
def test_a_script_that_fails_at_once_reads_as_with_python(tmp_path, source):
    script = tmp_path / 'prog.py'
    script.write_text(source)
    std = targets.run_python([str(script)], impl_name='stdlib', cwd=str(tmp_path))
    mine = targets.run_python(['-m', 'teachmp', 'run', str(script)], cwd=str(tmp_path))
    assert std.returncode == mine.returncode == 1
    assert mine.stderr == std.stderr
    assert ('SyntaxError' if '(:' in source else 'ZeroDivisionError') in mine.stderr
