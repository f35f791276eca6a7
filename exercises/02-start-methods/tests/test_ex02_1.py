"""Tests of exercise 02.1: report() and observe()."""
import multiprocessing as mp
import os

import pytest

pytestmark = [pytest.mark.ex02_1, pytest.mark.timeout(30)]

METHODS = ['fork', 'spawn']


@pytest.fixture(autouse=True)
def _restore_setting(ex):
    saved = ex.SETTING
    yield
    ex.SETTING = saved


def test_report_in_this_process(ex):
    reader, writer = mp.Pipe(duplex=False)
    with reader, writer:
        ex.report(writer)
        assert reader.poll(5), 'report() sent nothing'
        info = reader.recv()
    assert info == {'pid': os.getpid(), 'name': mp.current_process().name,
                    'parent_pid': None, 'setting': ex.SETTING}


@pytest.mark.parametrize('method', METHODS)
def test_child_identity(ex, method):
    info = ex.observe(method, 'anything', name=f'observer-{method}')
    assert set(info) == {'pid', 'name', 'parent_pid', 'setting', 'exitcode'}
    assert info['name'] == f'observer-{method}'
    assert info['pid'] != os.getpid()
    assert info['parent_pid'] == os.getpid()
    assert info['exitcode'] == 0
    assert mp.active_children() == []


def test_default_name(ex):
    assert ex.observe('fork', 'x')['name'] == 'observer'


def test_fork_child_inherits_the_changed_global(ex):
    assert ex.observe('fork', 'changed in the parent')['setting'] == 'changed in the parent'


def test_spawn_child_imports_the_module_again(ex):
    # A spawned child is a fresh interpreter: it imports the module anew
    # and sees the value written in the source, not the parent's change.
    assert ex.observe('spawn', 'changed in the parent')['setting'] == 'module default'


def test_unknown_start_method_is_refused_like_the_stdlib(ex):
    with pytest.raises(ValueError):
        mp.get_context('teleport')
    with pytest.raises(ValueError):
        ex.observe('teleport', 'x')
