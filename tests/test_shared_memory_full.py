"""Shared memory on a full /dev/shm: an OSError at creation, not a SIGBUS.

Each test runs a small program in a private mount namespace with a 1 MiB
tmpfs on ``/dev/shm`` (``isolation.small_dev_shm``), so filling it hurts
nobody else on the machine.  The program prints one JSON line with what it
saw; a SIGBUS shows as a negative return code.

On Linux the stdlib's ``SharedMemory`` only ``ftruncate``s the new file: a
block bigger than the space left is created without complaint and the first
write to a page past the space kills the process (CPython gh-114390, open).
teachmp reserves the pages at creation (``posix_fallocate``) and raises
``OSError(ENOSPC)`` there, with the half-made block removed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

import isolation
from impls import IMPLS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

pytestmark = pytest.mark.skipif(isolation.why_not() is not None,
                                reason=str(isolation.why_not()))

_PRELUDE = r"""
import errno, importlib, json, os, sys
sys.path.insert(0, %(tests)r)
import isolation
reason = isolation.small_dev_shm(1 << 20)
if reason:
    print(json.dumps({'skip': reason})); sys.exit(0)
impl = importlib.import_module(%(impl)r)
fds_before = set(os.listdir('/proc/self/fd'))
out = {}
def segments():
    return sorted(os.listdir('/dev/shm'))
def fds_left():
    return sorted(set(os.listdir('/proc/self/fd')) - fds_before)
"""

TOO_BIG = _PRELUDE + r"""
shm = importlib.import_module(%(impl)r + '.shared_memory')
try:
    seg = shm.SharedMemory(create=True, size=4 << 20)
except OSError as exc:
    out.update(errno=exc.errno, message=str(exc))
else:
    out.update(errno=None, message='created')
    seg.buf[-1] = 1          # the last page has no room: SIGBUS on Linux
    seg.close(); seg.unlink()
out.update(segments=segments(), fds=fds_left())
# the program carries on: a block that fits can be made and filled
seg = shm.SharedMemory(create=True, size=256 << 10)
seg.buf[:] = b'x' * seg.size
out['after'] = bytes(seg.buf[-3:]).decode()
seg.close(); seg.unlink()
print(json.dumps(out))
"""

FILLED = _PRELUDE + r"""
# fill the small /dev/shm to the last byte with a file of our own
fd = os.open('/dev/shm/filler', os.O_WRONLY | os.O_CREAT, 0o600)
try:
    while True:
        os.write(fd, b'\0' * 4096)
except OSError as exc:
    out['fill'] = exc.errno
os.close(fd)
from %(impl)s import sharedctypes
ctx = impl.get_context('fork')
arr = sharedctypes.RawArray('b', 2 << 20)      # twice the whole /dev/shm
val = sharedctypes.RawValue('i', 0)
arr[:] = b'\x01' * len(arr)
try:        # a Value with a lock: the stdlib's lock is a named semaphore
    sharedctypes.Value('i', 0, ctx=ctx)
    out['locked_value'] = 'ok'
except OSError as exc:
    out['locked_value'] = 'errno ' + str(exc.errno)
def child(a, v):
    v.value = sum(a[-4096:])
p = ctx.Process(target=child, args=(arr, val))
p.start(); p.join(10)
out.update(exitcode=p.exitcode, value=val.value)
os.unlink('/dev/shm/filler')
print(json.dumps(out))
"""


def _run(template, impl):
    code = template % {'tests': HERE, 'impl': IMPLS[impl]}
    env = dict(os.environ, PYTHONPATH=ROOT)
    env.pop('COVERAGE_PROCESS_START', None)
    proc = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=30)
    if proc.returncode == -signal.SIGBUS:
        return {'sigbus': True}
    assert proc.returncode == 0, proc.stderr[-2000:]
    record = json.loads(proc.stdout.strip().splitlines()[-1])
    if 'skip' in record:
        pytest.skip(record['skip'])
    return record


@pytest.mark.parametrize('impl', [
    'teachmp',
    pytest.param('stdlib', marks=pytest.mark.xfail(
        strict=True, reason='gh-114390: the stdlib creates the block, and the '
                            'first write past the space left is a SIGBUS')),
])
def test_too_big_a_block_raises_enospc_at_creation(impl):
    record = _run(TOO_BIG, impl)
    assert not record.get('sigbus'), 'killed by SIGBUS writing to the new block'
    assert record['errno'] == 28, record            # ENOSPC
    assert '/dev/shm' in record['message'] and '/psm_' in record['message']
    assert '--shm-size' in record['message']
    assert record['segments'] == [] and record['fds'] == [], record
    assert record['after'] == 'xxx'


@pytest.mark.parametrize('impl', list(IMPLS))
def test_raw_value_and_array_do_not_need_dev_shm(impl):
    # teachmp's heap is a memfd, the stdlib's falls back to a temporary
    # directory when /dev/shm has no room: both work with /dev/shm full
    record = _run(FILLED, impl)
    assert not record.get('sigbus'), 'killed by SIGBUS writing to the array'
    assert record['fill'] == 28, record
    assert record['exitcode'] == 0 and record['value'] == 4096, record


@pytest.mark.parametrize('impl', [
    'teachmp',
    pytest.param('stdlib', marks=pytest.mark.xfail(
        strict=True, reason="the stdlib's lock is a named POSIX semaphore, a file "
                            'in /dev/shm: sem_open fails with ENOSPC')),
])
def test_locked_value_on_a_full_dev_shm(impl):
    # teachmp's locks live in the heap (a memfd), not in /dev/shm
    record = _run(FILLED, impl)
    assert record['locked_value'] == 'ok', record
