"""teachmp.reduction against multiprocessing.reduction: descriptors over a
Unix socket (SCM_RIGHTS), the reducer registry, AbstractReducer, ctx.reducer,
sockets pickled outside process start-up."""

import importlib
import inspect
import os
import socket

import pytest

from impls import IMPLS


@pytest.fixture(params=list(IMPLS))
def red(request):
    mod = importlib.import_module(IMPLS[request.param] + '.reduction')
    yield mod
    importlib.import_module(IMPLS[request.param] + '.resource_sharer').stop(timeout=20)


def test_sendfds_recvfds_copy_descriptors(red):
    a, b = socket.socketpair()
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    red.sendfds(a, [w1, w2])
    got = red.recvfds(b, 2)
    assert len(got) == 2 and not set(got) & {w1, w2}
    os.write(got[0], b'one')
    os.write(got[1], b'two')
    assert (os.read(r1, 3), os.read(r2, 3)) == (b'one', b'two')
    for fd in got + [r1, w1, r2, w2]:
        os.close(fd)
    a.close()
    b.close()


def test_recvfds_at_end_of_file_raises_eoferror(red):
    a, b = socket.socketpair()
    a.close()
    with pytest.raises(EOFError):
        red.recvfds(b, 1)
    b.close()


def test_send_handle_over_a_duplex_pipe(red):
    mp = importlib.import_module(red.__name__.rsplit('.', 1)[0])
    c1, c2 = mp.Pipe()
    r, w = os.pipe()
    red.send_handle(c1, w, os.getpid())
    fd = red.recv_handle(c2)
    os.write(fd, b'x')
    assert os.read(r, 1) == b'x'
    for f in (fd, r, w):
        os.close(f)
    c1.close()
    c2.close()


def test_register_parameter_names_and_abstract_reducer(red):
    assert list(inspect.signature(red.ForkingPickler.register).parameters) == ['type', 'reduce']
    assert list(inspect.signature(red.register).parameters) == ['type', 'reduce']
    assert isinstance(red.AbstractReducer, type(inspect.getmro(type(red.AbstractReducer))[0]))
    for name in ('ForkingPickler', 'register', 'dump', 'send_handle', 'recv_handle',
                 'sendfds', 'recvfds', 'DupFd'):
        assert hasattr(red.AbstractReducer, name), name

    class Mine(red.AbstractReducer):
        pass
    Mine()                      # registers the method/partial/socket reducers


def test_socket_pickles_outside_process_start(red):
    a, b = socket.socketpair()
    data = bytes(red.ForkingPickler.dumps(b))
    copy = red.ForkingPickler.loads(data)
    assert (copy.family, copy.type) == (b.family, b.type)
    assert copy.fileno() != b.fileno()
    copy.sendall(b'hi')
    assert a.recv(2) == b'hi'
    for s in (a, b, copy):
        s.close()


def test_context_reducer(mpmod):
    ctx = mpmod.get_context()
    red = importlib.import_module(mpmod.__name__ + '.reduction')
    assert ctx.reducer is red
    assert mpmod.reducer is red
    try:
        ctx.reducer = 'replaced'
        assert ctx.reducer == 'replaced'
    finally:
        ctx.reducer = red
