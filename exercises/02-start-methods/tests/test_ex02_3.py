"""Tests of exercise 02.3: MiniForkServer and serve().

Where the stdlib has an answer (its own forkserver start method), the mini
server must give the same one.
"""
import multiprocessing as mp
import os
import pickle
import socket
import stat

import pytest

import helpers02

pytestmark = [pytest.mark.ex02_3, pytest.mark.timeout(30)]


def stdlib_forkserver_call(func, *args, preload=None):
    ctx = mp.get_context('forkserver')
    if preload is not None:
        ctx.set_forkserver_preload(preload)
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=helpers02.send_back, args=(writer, func, args))
    child.start()
    writer.close()
    try:
        return reader.recv()
    finally:
        reader.close()
        child.join()


@pytest.fixture
def server(ex):
    s = ex.MiniForkServer()
    yield s
    s.close()


def test_result_comes_back(server):
    assert server.call(pow, 2, 10) == 1024
    assert server.call(sorted, [3, 1, 2]) == [1, 2, 3]


def test_children_are_forked_by_the_server(server):
    assert server.pid != os.getpid()
    assert server.call(helpers02.parent_pid) == server.pid
    first, second = server.call(helpers02.own_pid), server.call(helpers02.own_pid)
    assert len({first, second, server.pid, os.getpid()}) == 4


def test_the_server_is_a_fresh_interpreter(server):
    # Like the stdlib's fork server: it was started from scratch, so it never
    # saw the parent change a module global.
    helpers02.SETTING = 'changed in the parent'
    try:
        expected = stdlib_forkserver_call(helpers02.read_setting)
        assert expected == 'module default'
        assert server.call(helpers02.read_setting) == expected
    finally:
        helpers02.SETTING = 'module default'


def test_preloaded_modules_are_imported_by_the_server(ex):
    assert stdlib_forkserver_call(helpers02.has_module, 'colorsys') is False
    plain = ex.MiniForkServer()
    try:
        assert plain.call(helpers02.has_module, 'colorsys') is False
    finally:
        plain.close()
    preloaded = ex.MiniForkServer(preload=['colorsys', 'no_such_module_here'])
    try:
        assert preloaded.call(helpers02.has_module, 'colorsys') is True
    finally:
        preloaded.close()


def test_exception_comes_back_to_the_parent(server):
    with pytest.raises(ValueError, match='boom from the child'):
        server.call(helpers02.fail, 'boom from the child')


def test_unpicklable_call_fails_in_the_parent(server, monkeypatch):
    target = lambda: 1                                    # noqa: E731
    with pytest.raises(Exception) as expected:
        pickle.dumps(target)

    def nothing_sent(*args, **kwargs):
        raise AssertionError('an unpicklable request was sent to the server')
    monkeypatch.setattr(socket, 'send_fds', nothing_sent)
    with pytest.raises(type(expected.value)):
        server.call(target)
    monkeypatch.undo()
    assert server.call(pow, 3, 2) == 9              # and the server still serves


def test_the_answer_pipe_travels_with_the_request(server, monkeypatch):
    sent = []
    real = socket.send_fds

    def spy(sock, buffers, fds, *rest):
        sent.append([stat.S_ISFIFO(os.fstat(fd).st_mode) for fd in fds])
        return real(sock, buffers, fds, *rest)
    monkeypatch.setattr(socket, 'send_fds', spy)
    assert server.call(pow, 2, 5) == 32
    assert sent == [[True]], 'one request, carrying one pipe'


def test_child_that_dies_without_answering(server):
    with pytest.raises(ChildProcessError):
        server.call(helpers02.exit_now, 3)
    assert server.call(pow, 2, 2) == 4


def test_close_ends_the_server(ex):
    s = ex.MiniForkServer()
    pid = s.pid
    assert s.call(pow, 2, 3) == 8
    s.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)             # gone, and reaped (not a zombie)
