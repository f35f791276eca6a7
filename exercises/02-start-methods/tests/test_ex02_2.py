"""Tests of exercise 02.2: spawn_call() and child_main().

Each result is compared with what the stdlib's own spawn start method gives.
"""
import multiprocessing as mp
import os
import pickle
import subprocess
import time

import pytest

import helpers02

pytestmark = [pytest.mark.ex02_2, pytest.mark.timeout(30)]


def stdlib_spawn_call(func, *args):
    ctx = mp.get_context('spawn')
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=helpers02.call_and_send, args=(writer, func, args))
    child.start()
    writer.close()
    try:
        return reader.recv()
    finally:
        reader.close()
        child.join()


@pytest.fixture
def changed_setting():
    helpers02.SETTING = 'changed in the parent'
    yield
    helpers02.SETTING = 'module default'


def test_builtin_function(ex):
    assert ex.spawn_call(pow, 2, 10) == 1024
    assert ex.spawn_call(sorted, [3, 1, 2]) == [1, 2, 3]


def test_runs_in_a_new_child_process(ex):
    assert ex.spawn_call(os.getpid) != os.getpid()
    assert ex.spawn_call(os.getppid) == os.getpid()


def test_fresh_interpreter_like_stdlib_spawn(ex, changed_setting):
    # helpers02 is importable only through the parent's sys.path, and the
    # child imports it afresh: it does not see the parent's change.
    expected = stdlib_spawn_call(helpers02.read_setting)
    assert expected == 'module default'
    assert ex.spawn_call(helpers02.read_setting) == expected


def test_exception_comes_back_to_the_parent(ex):
    with pytest.raises(ValueError, match='boom from the child'):
        ex.spawn_call(helpers02.fail, 'boom from the child')


def test_unpicklable_target_fails_in_the_parent(ex, monkeypatch):
    target = lambda: 1                                    # noqa: E731
    with pytest.raises(Exception) as expected:
        pickle.dumps(target)
    with pytest.raises(type(expected.value)):              # the stdlib agrees
        mp.get_context('spawn').Process(target=target).start()

    def no_child(*args, **kwargs):
        raise AssertionError('a child was started for an unpicklable target')
    monkeypatch.setattr(subprocess, 'Popen', no_child)
    monkeypatch.setattr(os, 'fork', no_child)
    monkeypatch.setattr(os, 'posix_spawn', no_child)
    with pytest.raises(type(expected.value)):
        ex.spawn_call(target)


def test_printing_does_not_spoil_the_result(ex, capfd):
    assert ex.spawn_call(helpers02.chatty, 'the result') == 'the result'
    assert 'chatter 999' in capfd.readouterr().err


def test_large_result(ex):
    assert ex.spawn_call(helpers02.big, 1 << 20) == b'x' * (1 << 20)


def test_timeout_kills_and_reaps_the_child(ex, tmp_path):
    pid_file = tmp_path / 'pid'
    t0 = time.monotonic()
    with pytest.raises(TimeoutError):
        ex.spawn_call(helpers02.write_pid_and_sleep, str(pid_file), timeout=2)
    assert time.monotonic() - t0 < 10
    written = pid_file.read_text() if pid_file.exists() else ''
    if written:             # (on a very busy machine the child may not have got that far)
        with pytest.raises(ProcessLookupError):    # neither running nor a zombie
            os.kill(int(written), 0)


def test_child_that_dies_without_answering(ex):
    with pytest.raises(ChildProcessError, match='3'):
        ex.spawn_call(helpers02.exit_now, 3)
