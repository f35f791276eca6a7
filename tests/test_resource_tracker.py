"""The resource tracker, on teachmp and on the stdlib: a program that dies
with a tracked SharedMemory block leaves nothing in /dev/shm once its
tracker has run; an untracked block (``track=False``, 3.13) stays.

Each scenario is a small program run in a fresh interpreter (in its own
session, so that the test can kill the whole tree); the program prints the
block's name, and the test then watches /dev/shm.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from impls import IMPLS, START_METHODS
from support import TIMEOUT

ROOT = Path(__file__).resolve().parent.parent
SHM = Path('/dev/shm')
HAS_TRACK = sys.version_info >= (3, 13)

pytestmark = pytest.mark.skipif(not SHM.is_dir(), reason='needs /dev/shm')

PROGRAM = textwrap.dedent("""
    import os, signal, sys, time
    impl, method, who, track, end = sys.argv[1:6]
    mp = __import__(impl)
    shared_memory = __import__(impl + '.shared_memory', fromlist=['x'])

    def make(q, track):
        kw = {} if track == 'default' else {'track': track == 'on'}
        block = shared_memory.SharedMemory(create=True, size=64, **kw)
        q.put(block.name)
        block.close()

    if __name__ == '__main__':
        ctx = mp.get_context(method)
        q = ctx.Queue()
        if who == 'parent':
            make(q, track)
        else:
            p = ctx.Process(target=make, args=(q, track))
            p.start()
            p.join(20)
        name = q.get(timeout=20).lstrip('/')
        if end == 'check':      # does the block outlive the child that made it?
            time.sleep(0.5)
            name += ' %s' % os.path.exists('/dev/shm/' + name)
        print(name, flush=True)
        if end == 'killed':
            os.kill(os.getpid(), signal.SIGKILL)   # the tracker is not killed
""")


def run(tmp_path, impl, method, who, track, end):
    script = tmp_path / 'prog.py'
    script.write_text(PROGRAM)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(script), IMPLS[impl], method, who, track, end],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail('the program hung')
    return out.strip(), err, proc.pid


def wait_gone(name, session):
    """Wait until the program's session is empty (the tracker ended); then
    say whether the block still exists."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and _session_alive(session):
        time.sleep(0.05)
    assert not _session_alive(session), 'a process of the program outlived it'
    return (SHM / name).exists()


def _session_alive(sid):
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                stat = Path(f'/proc/{entry}/stat').read_text()
            except OSError:
                continue
            fields = stat.rsplit(')', 1)[1].split()
            if int(fields[3]) == sid and fields[0] != 'Z':
                return True
    return False


def cleanup(name):
    try:
        (SHM / name).unlink()
    except (FileNotFoundError, OSError):
        pass


@pytest.mark.parametrize('impl', list(IMPLS))
@pytest.mark.parametrize('method', START_METHODS)
@pytest.mark.parametrize('who', ['parent', 'child'])
def test_killed_program_leaves_no_tracked_block(tmp_path, impl, method, who):
    name, err, sid = run(tmp_path, impl, method, who, 'default', 'killed')
    assert name.startswith('psm_'), err
    try:
        assert not wait_gone(name, sid), (
            'the tracked block survived the program:\n' + err)
    finally:
        cleanup(name)


@pytest.mark.parametrize('impl', list(IMPLS))
def test_the_tracker_warns_and_cleans_up_after_a_normal_exit(tmp_path, impl):
    # The program ends without unlinking.  The tracker inherited the
    # program's stderr, so communicate() returns only once the tracker has
    # finished: its warning is in what we read.
    name, err, sid = run(tmp_path, impl, 'fork', 'parent', 'default', 'exit')
    try:
        assert not wait_gone(name, sid)
    finally:
        cleanup(name)
    assert ('resource_tracker: There appear to be 1 leaked shared_memory '
            'objects to clean up at shutdown') in err
    if HAS_TRACK:
        assert name in err      # 3.13 lists the names


@pytest.mark.parametrize('impl', list(IMPLS))
@pytest.mark.parametrize('method', START_METHODS)
def test_block_made_by_a_child_lives_until_the_program_ends(tmp_path, impl, method):
    # A spawn or forkserver launch starts the program's tracker first and
    # hands it to the child: one tracker for the tree, so a child that made
    # a block and ended does not take the block with it while its parent
    # still runs.  A forked child inherits only a tracker that already
    # exists; here none does, so the child starts its own, which cleans up
    # when the child ends.
    expected = 'False' if method == 'fork' else 'True'
    out, err, sid = run(tmp_path, impl, method, 'child', 'default', 'check')
    name, exists = out.split()
    try:
        assert exists == expected, err
    finally:
        deadline = time.monotonic() + TIMEOUT
        while (SHM / name).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        gone = not (SHM / name).exists()
        cleanup(name)
    assert gone, 'the tracker did not clean up after the program'


@pytest.mark.skipif(not HAS_TRACK, reason='track= is new in Python 3.13')
@pytest.mark.parametrize('impl', list(IMPLS))
def test_untracked_block_stays(tmp_path, impl):
    name, err, sid = run(tmp_path, impl, 'fork', 'parent', 'off', 'killed')
    try:
        assert wait_gone(name, sid), 'an untracked block was unlinked:\n' + err
    finally:
        cleanup(name)


@pytest.mark.skipif(HAS_TRACK, reason='track= exists from Python 3.13')
@pytest.mark.parametrize('impl', list(IMPLS))
def test_no_track_parameter_before_313(impl):
    shared_memory = __import__(IMPLS[impl] + '.shared_memory', fromlist=['x'])
    with pytest.raises(TypeError, match='track'):
        shared_memory.SharedMemory(create=True, size=8, track=False)
