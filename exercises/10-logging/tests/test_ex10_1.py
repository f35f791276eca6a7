"""Tests of exercise 10.1: setup_worker_logging / worker / run_with_central_log.

The central file must hold exactly one whole line per record: for every
worker and every message, ``worker-I: message K`` -- nothing torn, nothing
missing, nothing twice.
"""
import logging
import logging.handlers
import queue as queue_module
import re
import threading

import pytest

pytestmark = [pytest.mark.ex10_1, pytest.mark.timeout(60)]


@pytest.fixture
def root_logger():
    """The root logger, put back as it was after the test."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield root
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def expected_lines(n_workers, n_messages):
    return sorted('worker-%d: message %d\n' % (i, k)
                  for i in range(n_workers) for k in range(n_messages))


def read_lines(path):
    with open(path, encoding='utf-8', newline='') as f:
        return f.read().splitlines(keepends=True)


def test_setup_worker_logging_installs_one_queue_handler(ex, root_logger):
    root_logger.addHandler(logging.NullHandler())     # must be removed
    q = queue_module.Queue()
    ex.setup_worker_logging(q)
    assert len(root_logger.handlers) == 1
    (handler,) = root_logger.handlers
    assert isinstance(handler, logging.handlers.QueueHandler)
    assert handler.queue is q
    assert root_logger.level == logging.DEBUG
    logging.getLogger('some.module').debug('hello %s', 'queue')
    record = q.get_nowait()
    assert record.getMessage() == 'hello queue'
    assert record.levelno == logging.DEBUG


def test_worker_logs_its_messages_in_process(ex, root_logger):
    q = queue_module.Queue()
    ex.worker(q, 3)
    records = [q.get_nowait() for _ in range(3)]
    assert q.empty()
    assert [r.getMessage() for r in records] == ['message 0', 'message 1', 'message 2']
    assert {r.name for r in records} == {'ex10'}
    assert {r.levelno for r in records} == {logging.INFO}


def test_one_worker(ex, tmp_path):
    path = tmp_path / 'central.log'
    assert ex.run_with_central_log(1, str(path), 2) == [0]
    assert read_lines(path) == ['worker-0: message 0\n', 'worker-0: message 1\n']


def test_every_line_of_every_worker_once_and_whole(ex, tmp_path):
    path = tmp_path / 'central.log'
    codes = ex.run_with_central_log(4, str(path), 50)
    assert codes == [0] * 4
    lines = read_lines(path)
    whole = re.compile(r'^worker-\d+: message \d+\n\Z')
    torn = [line for line in lines if not whole.match(line)]
    assert not torn, 'torn or foreign lines: %r' % torn[:5]
    assert sorted(lines) == expected_lines(4, 50)


def test_each_worker_keeps_its_own_order(ex, tmp_path):
    path = tmp_path / 'central.log'
    ex.run_with_central_log(3, str(path), 20)
    by_worker = {}
    for line in read_lines(path):
        name, message = line.rstrip('\n').split(': ')
        by_worker.setdefault(name, []).append(message)
    assert by_worker == {'worker-%d' % i: ['message %d' % k for k in range(20)]
                         for i in range(3)}


def test_file_is_truncated_and_no_thread_left(ex, tmp_path):
    path = tmp_path / 'central.log'
    path.write_text('old line\n', encoding='utf-8')
    before = threading.active_count()
    ex.run_with_central_log(2, str(path), 1)
    assert sorted(read_lines(path)) == expected_lines(2, 1)
    assert threading.active_count() == before, 'the QueueListener is still running'


def test_parent_logging_is_untouched(ex, tmp_path, root_logger):
    # Only the workers route their records to the queue: the parent's root
    # logger keeps its handlers.
    marker = logging.NullHandler()
    root_logger.addHandler(marker)
    ex.run_with_central_log(2, str(tmp_path / 'central.log'), 1)
    assert marker in root_logger.handlers
    assert not any(isinstance(h, logging.handlers.QueueHandler)
                   for h in root_logger.handlers)


def test_no_workers_gives_an_empty_file(ex, tmp_path):
    path = tmp_path / 'central.log'
    assert ex.run_with_central_log(0, str(path)) == []
    assert path.read_text(encoding='utf-8') == ''
