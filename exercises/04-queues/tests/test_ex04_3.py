"""Tests of exercise 04.3: the predicted order against a recorded trace.

The program is recorded on teachmp (the stdlib has no trace), whichever
``--mp`` the tests run with; each moment of the exercise is read off the
recording as the begin or end of one recorded call.
"""
import os

import pytest

pytestmark = [pytest.mark.ex04_3, pytest.mark.timeout(60)]


def moments(chrome):
    """The six moments of the exercise, name -> time (µs), from a recording."""
    spans = [e for e in chrome['traceEvents'] if e['ph'] == 'X']
    me = os.getpid()
    child = [e for e in spans if e['name'] == 'process' and e['pid'] != me]
    assert len(child) == 1, 'the program should start exactly one child'
    child = child[0]
    joins = sorted((e for e in spans if e['name'] == 'join' and e['pid'] == me),
                   key=lambda e: e['ts'])
    (put,) = [e for e in spans if e['name'] == 'put' and e['pid'] == child['pid']]
    (get,) = [e for e in spans if e['name'] == 'get' and e['pid'] == me]
    (send,) = [e for e in spans if e['name'] == 'send' and e['pid'] == child['pid']
               and e['args'].get('bytes', 0) > 1_000_000]
    assert len(joins) == 2, 'the program should join the child twice'

    def end(e):
        return e['ts'] + e['dur']
    return {
        'child: put returns': end(put),
        'parent: join(1) gives up': end(joins[0]),
        'parent: get begins': get['ts'],
        'feeder: send finishes': end(send),
        'child: exits': end(child),
        'parent: join returns': end(joins[1]),
    }


@pytest.fixture(scope='module')
def recording(tmp_path_factory, ex):
    import teachmp
    from teachmp import trace, trace_analysis
    path = str(tmp_path_factory.mktemp('trace') / 'events')
    import program04_3
    with trace.recording(path):
        result = program04_3.program(teachmp.get_context('fork'))
    assert result == (1_000_000, 0), 'program() should get the item and end cleanly'
    return moments(trace_analysis.load(path))


@pytest.fixture(scope='module')
def ex(request):
    # module-scoped twin of the conftest's ``ex`` (the recording is made once)
    import importlib
    import pathlib
    folder = pathlib.Path(__file__).resolve().parent.parent
    impl = request.config.getoption('--impl')
    folder = folder / impl if (folder / impl).is_dir() else folder
    (found,) = sorted(folder.glob('ex04_3_*.py'))
    return importlib.import_module(found.stem)


def test_prediction_names_each_event_once(ex):
    predicted = list(ex.prediction())
    assert sorted(predicted) == sorted(ex.EVENTS), (
        'prediction() must return each name of EVENTS exactly once')


def test_prediction_matches_the_recording(recording, ex):
    predicted = list(ex.prediction())
    assert sorted(recording) == sorted(ex.EVENTS)
    recorded = sorted(recording, key=recording.get)
    for i, (mine, real) in enumerate(zip(predicted, recorded)):
        assert mine == real, (
            'moment %d: you predicted %r, the recording has %r there. Record '
            'the program (python -m teachmp trace -o queue.json tests/program04_3.py; '
            'python -m teachmp trace show queue.json) and look at why.'
            % (i + 1, mine, real))
