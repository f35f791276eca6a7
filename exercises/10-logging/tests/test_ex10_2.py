"""Tests of exercise 10.2: stamp_process_info / make_handler."""
import io
import logging
import multiprocessing as mp

import pytest

import helpers10

pytestmark = [pytest.mark.ex10_2, pytest.mark.timeout(60)]


def make_record(msg='hello'):
    return logging.LogRecord('t', logging.INFO, __file__, 1, msg, None, None)


def run_child(ex, target, name):
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=target, args=(ex.__name__, w, 'hello'), name=name)
    p.start()
    w.close()
    try:
        assert r.poll(30), 'the child sent nothing'
        return r.recv()
    finally:
        p.join(30)
        r.close()


def test_stamp_in_the_main_process(ex):
    record = make_record()
    assert ex.stamp_process_info(record) is True
    assert record.processName == mp.current_process().name == 'MainProcess'
    assert record.parentName == '-'


def test_stamp_overrides_a_wrong_name(ex):
    record = make_record()
    record.processName = 'wrong'
    ex.stamp_process_info(record)
    assert record.processName == 'MainProcess'


def test_handler_format_and_filter(ex):
    buf = io.StringIO()
    handler = ex.make_handler(buf)
    assert isinstance(handler, logging.StreamHandler)
    record = make_record('a message')
    record.processName = 'wrong'
    handler.handle(record)
    assert buf.getvalue() == 'MainProcess (child of -) INFO: a message\n'


def test_in_a_child(ex):
    text = run_child(ex, helpers10.log_in_child, 'Worker-7')
    assert text == 'Worker-7 (child of MainProcess) INFO: hello\n'


def test_in_a_grandchild(ex):
    text = run_child(ex, helpers10.start_grandchild, 'Middle')
    assert text == 'Grandchild (child of Middle) INFO: hello\n'
