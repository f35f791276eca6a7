"""The trace (teachmp.trace), its reading (teachmp.trace_analysis) and its
drawing (teachmp.trace_draw).

These are teachmp's own features (the stdlib has nothing to compare with),
so the tests check invariants of what was recorded from known programs:
every recv after the send of the same message, every acquire that waited
let through by a release of another process, one lane per process, nothing
lost when a child is SIGKILLed, output that is valid Chrome Trace Event
JSON, and a picture with the lanes and arrows the program implies.
"""

import json
import os
import signal
import subprocess
import sys

import pytest

import teachmp
from teachmp import (connection, synchronize, trace, trace_analysis, trace_args,
                     trace_draw)

import trace_targets
from support import TIMEOUT

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METHODS = ('fork', 'spawn', 'forkserver')


def validate_chrome(data):
    """The parts of the Chrome Trace Event format that viewers rely on."""
    assert isinstance(data, dict) and isinstance(data['traceEvents'], list)
    json.dumps(data)                                    # plain JSON only
    for e in data['traceEvents']:
        assert e['ph'] in ('X', 'i', 'M', 's', 'f'), e
        assert isinstance(e['pid'], int), e
        if e['ph'] == 'M':
            assert e['name'] in ('process_name', 'thread_name'), e
            assert isinstance(e['args']['name'], str), e
            continue
        assert isinstance(e['tid'], int), e
        assert isinstance(e['ts'], (int, float)) and e['ts'] >= 0, e
        assert isinstance(e['name'], str) and isinstance(e.get('cat', ''), str), e
        if e['ph'] == 'X':
            assert isinstance(e['dur'], (int, float)) and e['dur'] >= 0, e
        if e['ph'] == 'i':
            assert e['s'] in ('t', 'p', 'g'), e
        if e['ph'] in ('s', 'f'):
            assert 'id' in e, e
    ids = {}
    for e in data['traceEvents']:
        if e['ph'] in ('s', 'f'):
            ids.setdefault(e['id'], []).append(e['ph'])
    for phases in ids.values():
        assert sorted(phases) == ['f', 's']


def spans(chrome, name=None, pid=None):
    return [e for e in chrome['traceEvents'] if e['ph'] == 'X'
            and (name is None or e['name'] == name) and (pid is None or e['pid'] == pid)]


def lanes(chrome):
    return {e['pid']: e['args']['name'] for e in chrome['traceEvents']
            if e['ph'] == 'M' and e['name'] == 'process_name'}


@pytest.fixture
def record(tmp_path):
    path = str(tmp_path / 'events')

    class Recorder:
        path = str(tmp_path / 'events')

        def __enter__(self):
            self._cm = trace.recording(path)
            self._cm.__enter__()
            return self

        def __exit__(self, *exc):
            self._cm.__exit__(*exc)
            self.chrome = trace_analysis.load(path)
            validate_chrome(self.chrome)
    return Recorder


def wait_for_event(path, ph, name, pid):
    """Poll the raw trace until ``pid`` has written that event (no sleep-ordering)."""
    import time
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with open(path, encoding='utf-8') as f:
            for line in f:
                if ('"ph":"%s"' % ph in line and '"name":"%s"' % name in line
                        and '"pid":%d,' % pid in line):
                    return
        time.sleep(0.01)
    raise AssertionError('no %s %s event from pid %d' % (ph, name, pid))


def test_off_by_default_nothing_is_wrapped():
    assert not trace.enabled()
    original = connection.Connection.__dict__['_send_bytes']
    assert getattr(original, '__wrapped__', None) is None


def test_install_wraps_and_uninstall_restores(tmp_path):
    before = {name: synchronize.SemLock.__dict__[name] for name in ('acquire', 'release')}
    with trace.recording(str(tmp_path / 'events')):
        assert trace.enabled()
        assert synchronize.SemLock.__dict__['acquire'] is not before['acquire']
        assert os.environ[trace.ENV]
    assert not trace.enabled() and trace.ENV not in os.environ
    assert {name: synchronize.SemLock.__dict__[name] for name in before} == before


@pytest.mark.parametrize('method', METHODS)
def test_every_recv_follows_its_send(record, method):
    ctx = teachmp.get_context(method)
    with record() as r:
        a, b = ctx.Pipe()
        p = ctx.Process(target=trace_targets.echo_twice, args=(b,))
        p.start()
        b.close()
        for message in (b'first', b'second message'):
            a.send_bytes(message)
            assert a.recv_bytes() == message
        p.join(TIMEOUT)
        a.close()
    chrome = r.chrome
    sends, recvs = spans(chrome, 'send'), spans(chrome, 'recv')
    assert len(sends) == len(recvs) == 4
    flows = [e for e in chrome['traceEvents'] if e['ph'] in ('s', 'f')
             and e['name'] == 'message']
    assert len(flows) == 8                  # an arrow per message
    by_id = {}
    for e in flows:
        by_id.setdefault(e['id'], {})[e['ph']] = e
    for pair in by_id.values():
        assert pair['s']['pid'] != pair['f']['pid']
        assert pair['s']['ts'] <= pair['f']['ts']
    # the child's lane exists and has its name; one lane per process
    assert set(lanes(chrome)) == {os.getpid(), p.pid}
    assert lanes(chrome)[p.pid].startswith(p.name)
    (life,) = spans(chrome, 'process', pid=p.pid)
    assert life['args']['exitcode'] == 0
    (start,) = spans(chrome, 'start')
    assert start['args']['child'] == p.pid and start['args']['method'] == method


@pytest.mark.parametrize('method', METHODS)
def test_an_acquire_that_waited_is_released_by_the_holder(record, method):
    ctx = teachmp.get_context(method)
    with record() as r:
        lock = ctx.Lock()
        ready_r, ready_w = ctx.Pipe(duplex=False)
        lock.acquire()
        p = ctx.Process(target=trace_targets.take_lock, args=(lock, ready_w))
        p.start()
        ready_w.close()
        assert ready_r.recv_bytes() == b'waiting'
        wait_for_event(r.path, 'B', 'acquire', p.pid)   # the child is waiting now
        lock.release()
        p.join(TIMEOUT)
        ready_r.close()
    chrome = r.chrome
    (child_acquire,) = spans(chrome, 'acquire', pid=p.pid)
    assert child_acquire['args']['ok']
    (release,) = [e for e in chrome['traceEvents'] if e['ph'] == 'i'
                  and e['name'] == 'release' and e['pid'] == os.getpid()]
    # acquired only after the release, and the release was during the wait
    assert child_acquire['ts'] <= release['ts'] <= child_acquire['ts'] + child_acquire['dur']
    handoffs = [e for e in chrome['traceEvents'] if e['ph'] == 'f'
                and e['name'] == 'hand-off']
    assert [(e['pid'], e['ts']) for e in handoffs] == [
        (p.pid, child_acquire['ts'] + child_acquire['dur'])]
    created = [e for e in chrome['traceEvents'] if e['name'] == 'lock created'
               and e['args']['kind'] == 'Lock']
    assert created and created[0]['args']['site'].startswith('test_trace.py:')


@pytest.mark.parametrize('method', METHODS)
def test_nothing_lost_when_a_child_is_killed(record, method):
    ctx = teachmp.get_context(method)
    with record() as r:
        a, b = ctx.Pipe()
        p = ctx.Process(target=trace_targets.send_then_block, args=(b,))
        p.start()
        b.close()
        assert a.recv_bytes() == b'hello from the child'
        wait_for_event(r.path, 'B', 'recv', p.pid)      # blocked in recv now
        os.kill(p.pid, signal.SIGKILL)
        p.join(TIMEOUT)
        a.close()
    assert p.exitcode == -signal.SIGKILL
    chrome = r.chrome
    (sent,) = spans(chrome, 'send', pid=p.pid)
    assert not sent['args'].get('unfinished')
    # the spans it died in end at its last moment and say how it ended; a
    # dead process waits for nothing, so the deadlock view leaves it out
    died = {e['name']: e['args']['died'] for e in spans(chrome, pid=p.pid)
            if 'died' in e['args']}
    assert died == {'process': -signal.SIGKILL, 'recv': -signal.SIGKILL}
    assert not [e for e in spans(chrome) if e['args'].get('unfinished')]
    assert trace_analysis.unfinished_waits(chrome) == []


def test_a_wait_still_open_at_the_end_is_unfinished(record):
    ctx = teachmp.get_context('fork')
    with record() as r:
        a, b = ctx.Pipe()
        p = ctx.Process(target=trace_targets.send_then_block, args=(b,))
        p.start()
        b.close()
        assert a.recv_bytes() == b'hello from the child'
        wait_for_event(r.path, 'B', 'recv', p.pid)
    os.kill(p.pid, signal.SIGKILL)      # after the recording ended
    p.join(TIMEOUT)
    a.close()
    open_spans = {e['name'] for e in spans(r.chrome, pid=p.pid)
                  if e['args'].get('unfinished')}
    assert open_spans == {'process', 'recv'}
    words = trace_analysis.unfinished_waits(r.chrome)
    assert any('recv() on fd' in w and p.name in w for w in words)
    assert any('の recv()' in w for w in trace_analysis.unfinished_waits(r.chrome, 'ja'))


def test_pool_workers_each_get_a_lane(record):
    ctx = teachmp.get_context('fork')
    with record() as r:
        with ctx.Pool(2) as pool:
            pids = set(pool.map(trace_targets.pid_of_worker, range(8), chunksize=1))
            pool.close()
            pool.join()
    chrome = r.chrome
    waits = spans(chrome, 'wait for task')
    assert {e['pid'] for e in waits} >= pids
    assert pids <= set(lanes(chrome))


def test_render_has_the_lanes_and_arrows(record):
    ctx = teachmp.get_context('fork')
    with record() as r:
        a, b = ctx.Pipe()
        p = ctx.Process(target=trace_targets.echo_twice, args=(b,))
        p.start()
        b.close()
        a.send_bytes(b'1')
        a.recv_bytes()
        a.send_bytes(b'2')
        a.recv_bytes()
        p.join(TIMEOUT)
        a.close()
    for lang, legend in (('en', 'pipe send / recv'), ('ja', 'パイプの送受信')):
        svg = trace_draw.render_svg(r.chrome, lang)
        assert svg.startswith('<svg') and svg.rstrip().endswith('</svg>')
        labels = svg.count('class="lane-label"')
        threads = {(e['pid'], e['tid']) for e in spans(r.chrome)}
        assert labels == len(threads)
        assert svg.count('class="arrow"') == 5      # 4 messages + 1 start
        assert legend in svg
        page = trace_draw.render_html(r.chrome, lang)
        assert '<script' not in page and 'http' not in page.replace(
            'http://www.w3.org/2000/svg', '')


def test_command_line_records_and_draws(tmp_path):
    out = tmp_path / 'deadlock.json'
    example = os.path.join(ROOT, 'tutorials', '04-queues', 'examples', 'join_deadlock.py')
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop(trace.ENV, None)
    done = subprocess.run([sys.executable, '-m', 'teachmp', 'trace', '-o', str(out),
                           example], capture_output=True, text=True, env=env,
                          timeout=60, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert 'got 1000000 characters' in done.stdout
    chrome = json.loads(out.read_text())
    validate_chrome(chrome)
    # the feeder thread's send of the megabyte overlaps the parent's join(1)
    (big,) = [e for e in spans(chrome, 'send') if e['args']['bytes'] > 1_000_000]
    joins = spans(chrome, 'join')
    assert any(j['ts'] < big['ts'] + big['dur'] and big['ts'] < j['ts'] + j['dur']
               and j['args']['exitcode'] is None for j in joins)
    assert 'QueueFeederThread' in json.dumps(chrome)
    shown = subprocess.run([sys.executable, '-m', 'teachmp', 'trace', 'show', str(out),
                            '--lang', 'ja'], capture_output=True, text=True, env=env,
                           timeout=60)
    assert shown.returncode == 0, shown.stderr
    page = (tmp_path / 'deadlock.html').read_text(encoding='utf-8')
    assert 'lang="ja"' in page and 'send 1,000,009 B' in page
    assert (tmp_path / 'deadlock.svg').exists()


def test_environment_variable_traces_a_plain_program(tmp_path):
    path = tmp_path / 'events'
    env = dict(os.environ, PYTHONPATH=ROOT, TEACHMP_TRACE=str(path))
    env.pop(trace.ROOT_ENV, None)
    code = ('import teachmp as mp\n'
            'if __name__ == "__main__":\n'
            '    ctx = mp.get_context("spawn")\n'
            '    q = ctx.Queue()\n'
            '    p = ctx.Process(target=q.put, args=(42,))\n'
            '    p.start(); print(q.get(timeout=20)); p.join(20)\n')
    script = tmp_path / 'prog.py'
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == '42', done.stderr
    chrome = trace_analysis.load(str(path))
    validate_chrome(chrome)
    names = lanes(chrome)
    assert sorted(n.split()[0] for n in names.values()) == [
        'MainProcess', 'SpawnProcess-1']
    child = [pid for pid, n in names.items() if n.startswith('SpawnProcess-1')][0]
    parent = (set(names) - {child}).pop()
    assert spans(chrome, 'put', pid=child) and spans(chrome, 'get', pid=parent)
    (life,) = spans(chrome, 'process', pid=child)
    assert life['args']['exitcode'] == 0


@pytest.mark.parametrize('method', METHODS)
def test_the_deadlock_view_names_the_cycle(record, method):
    ctx = teachmp.get_context(method)
    with record() as r:
        x, y = ctx.Lock(), ctx.Lock()
        barrier = ctx.Barrier(2)
        a = ctx.Process(target=trace_targets.grab_two, args=(x, y, barrier), name='A')
        b = ctx.Process(target=trace_targets.grab_two, args=(y, x, barrier), name='B')
        a.start()
        b.start()
        a_pid, b_pid = a.pid, b.pid
        import time
        locks = {trace_args.inode(x._r), trace_args.inode(y._r)}
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:      # until both wait for their second lock
            stuck = [e for e in spans(trace_analysis.load(r.path), 'acquire')
                     if e['args'].get('unfinished') and e['pid'] in (a_pid, b_pid)
                     and e['args'].get('lock') in locks]
            if len({e['pid'] for e in stuck}) == 2:
                break
            time.sleep(0.01)
    for p in (a, b):
        p.kill()
        p.join(TIMEOUT)
    cycle = trace_analysis.wait_cycle(r.chrome)
    assert cycle is not None, trace_analysis.unfinished_waits(r.chrome)
    assert cycle.startswith('A cycle of waits')
    assert 'A (pid %d)' % a_pid in cycle and 'B (pid %d)' % b_pid in cycle
    assert cycle.count('acquire() of Lock') == 2
    assert trace_analysis.wait_cycle(r.chrome, 'ja').startswith('待ちの循環')
    assert 'teachmp-cycle' in trace_draw.render_html(r.chrome)


def test_no_cycle_when_every_wait_finished(record):
    ctx = teachmp.get_context('fork')
    with record() as r:
        lock = ctx.Lock()
        with lock:
            pass
    assert trace_analysis.unfinished_waits(r.chrome) == []
    assert trace_analysis.wait_cycle(r.chrome) is None
