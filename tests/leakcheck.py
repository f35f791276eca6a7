"""Leak check shared by ``tests/conftest.py`` and ``tutorials/conftest.py``.

After every test we look at three things the test might have left behind:

* child processes of the test process (found by scanning ``/proc/*/stat``
  for entries whose parent pid is ``os.getpid()``), live or zombie;
* threads (``threading.enumerate()`` compared with the list taken before);
* file descriptors (``/proc/self/fd`` compared with the list taken before).

Things that end a little after the test (a child that is still exiting, a
descriptor closed by a garbage-collected object) get a short grace period.
Long-lived helpers that a library starts once on purpose are not counted:
the stdlib's resource tracker and forkserver, and the arenas of the stdlib's
and teachmp's shared-memory heaps (kept for the life of the process).

A leak makes the test ERROR at teardown with a message naming what leaked,
leaked children are killed and reaped so the next test is not blamed
(threads and fds cannot be taken away safely; the next test's snapshot
simply starts with them).  A test that already failed is not reported a second
time, but the clean-up still happens.

Inspection never reaps: ``waitpid`` would steal the exit status that the
library under test is about to collect.  Only leaked children are reaped, as
part of the clean-up.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time

import pytest

CHILD_GRACE = 2.0  # seconds a child gets to exit after the test
THREAD_GRACE = 2.0  # seconds a thread gets to finish
FD_GRACE = 1.0  # seconds for descriptors held by dying objects


# -- inspection ---------------------------------------------------------


def _read_stat(pid: str):
    """Return (ppid, state, comm) for *pid*, or None if it vanished."""
    try:
        with open(f'/proc/{pid}/stat', 'rb') as f:
            data = f.read().decode('utf-8', 'replace')
    except OSError:
        return None
    # "pid (comm) state ppid ..." -- comm may contain spaces and parentheses
    lpar = data.find('(')
    rpar = data.rfind(')')
    comm = data[lpar + 1 : rpar]
    fields = data[rpar + 2 :].split()
    return int(fields[1]), fields[0], comm


def child_processes() -> dict[int, tuple[str, str]]:
    """Map pid -> (state, comm) of every direct child of this process."""
    me = os.getpid()
    found = {}
    try:
        entries = os.listdir('/proc')
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        info = _read_stat(entry)
        if info is not None and info[0] == me:
            found[int(entry)] = (info[1], info[2])
    return found


def _cmdline(pid: int) -> str:
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            raw = f.read()
    except OSError:
        return '?'
    text = raw.replace(b'\0', b' ').decode('utf-8', 'replace').strip()
    return text[:200]


def open_fds() -> dict[int, str]:
    """Map fd -> what it points to, for this process."""
    result = {}
    try:
        names = os.listdir('/proc/self/fd')
    except OSError:
        return result
    for name in names:
        try:
            # the fd used by listdir itself is closed by now: readlink fails
            result[int(name)] = os.readlink(f'/proc/self/fd/{name}')
        except OSError:
            pass
    return result


def _helper_resources() -> tuple[set[int], set[int]]:
    """(pids, fds) of long-lived helpers that libraries start on purpose."""
    pids: set[int] = set()
    fds: set[int] = set()
    rt = sys.modules.get('multiprocessing.resource_tracker')
    tracker = getattr(rt, '_resource_tracker', None)
    if tracker is not None:
        pid = getattr(tracker, '_pid', None)
        fd = getattr(tracker, '_fd', None)
        if pid is not None:
            pids.add(pid)
        if fd is not None:
            fds.add(fd)
    fs = sys.modules.get('multiprocessing.forkserver')
    server = getattr(fs, '_forkserver', None)
    if server is not None:
        for attr in ('_forkserver_pid',):
            value = getattr(server, attr, None)
            if value is not None:
                pids.add(value)
        for attr in ('_forkserver_alive_fd',):
            value = getattr(server, attr, None)
            if value is not None:
                fds.add(value)
    # shared-memory heaps keep their arenas (a file + its mapping) for the
    # life of the process, by design: the stdlib's and teachmp's
    heap_mods = (
        (sys.modules.get('multiprocessing.heap'), 'BufferWrapper._heap'),
        (sys.modules.get('teachmp.heap'), '_heap'),
    )
    for mod, attr_path in heap_mods:
        heap = mod
        for attr in attr_path.split('.'):
            heap = getattr(heap, attr, None)
        if heap is None or getattr(heap, '_pid', os.getpid()) != os.getpid():
            continue
        for arena in list(getattr(heap, '_arenas', ())):
            fd = getattr(arena, 'fd', -1)
            if isinstance(fd, int) and fd >= 0:
                fds.add(fd)
    # teachmp may grow helpers of its own later; it can list them here
    tm = sys.modules.get('teachmp')
    hook = getattr(tm, '_long_lived_helpers', None)
    if callable(hook):
        try:
            more_pids, more_fds = hook()
            pids.update(more_pids)
            fds.update(more_fds)
        except Exception:
            pass
    return pids, fds


class Snapshot:
    def __init__(self):
        self.children = set(child_processes())
        self.threads = set(threading.enumerate())
        self.fds = open_fds()


# -- comparison ---------------------------------------------------------


def _new_children(before: Snapshot):
    helper_pids, _ = _helper_resources()
    return {
        pid: info
        for pid, info in child_processes().items()
        if pid not in before.children and pid not in helper_pids
    }


def _new_threads(before: Snapshot):
    return [
        t for t in threading.enumerate() if t not in before.threads and t.is_alive()
    ]


def _new_fds(before: Snapshot):
    _, helper_fds = _helper_resources()
    now = open_fds()
    # an mmap holds a duplicate of its file's fd: same target, other number
    helper_targets = {now[fd] for fd in helper_fds if fd in now}
    return {
        fd: target
        for fd, target in now.items()
        if fd not in helper_fds
        and target not in helper_targets
        and (fd not in before.fds or before.fds[fd] != target)
    }


def find_leaks(before: Snapshot) -> tuple[dict, list, dict]:
    """Wait out the grace periods and return what is still left over."""
    deadline = time.monotonic() + CHILD_GRACE
    while True:
        children = _new_children(before)
        live = {pid for pid, (state, _) in children.items() if state != 'Z'}
        if not live or time.monotonic() >= deadline:
            break
        time.sleep(0.02)

    deadline = time.monotonic() + THREAD_GRACE
    while True:
        threads = _new_threads(before)
        if not threads or time.monotonic() >= deadline:
            break
        for t in threads:
            t.join(0.05)

    deadline = time.monotonic() + FD_GRACE
    while True:
        fds = _new_fds(before)
        if not fds or time.monotonic() >= deadline:
            break
        gc.collect()
        fds = _new_fds(before)
        if not fds:
            break
        time.sleep(0.05)

    return children, threads, fds


# -- clean-up -----------------------------------------------------------


def _forget_processes(pids: set[int], returncode: int) -> None:
    """Tell the libraries' bookkeeping that these children are gone."""
    for modname in ('multiprocessing.process', 'teachmp.process'):
        mod = sys.modules.get(modname)
        children = getattr(mod, '_children', None)
        if not isinstance(children, set):
            continue
        for proc in list(children):
            popen = getattr(proc, '_popen', None)
            if getattr(popen, 'pid', None) in pids:
                if getattr(popen, 'returncode', 0) is None:
                    try:
                        popen.returncode = returncode
                    except Exception:
                        pass
                children.discard(proc)


def kill_children(pids) -> None:
    pids = set(pids)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + 5.0
    pending = set(pids)
    while pending and time.monotonic() < deadline:
        for pid in list(pending):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid  # somebody else reaped it
            if done:
                pending.discard(pid)
        if pending:
            time.sleep(0.02)
    _forget_processes(pids, -signal.SIGKILL)


def describe(children, threads, fds) -> str:
    lines = []
    for pid, (state, comm) in sorted(children.items()):
        kind = 'zombie (exited, never waited for)' if state == 'Z' else f'state {state}'
        lines.append(f'  child process pid {pid} [{kind}]: {comm}: {_cmdline(pid)}')
    for t in threads:
        lines.append(f'  thread {t.name!r} (daemon={t.daemon}): {t!r}')
    for fd, target in sorted(fds.items()):
        lines.append(f'  file descriptor {fd} -> {target}')
    return '\n'.join(lines)


# -- the fixture --------------------------------------------------------

# reports of the test phases, stored by tests/conftest.py's hook
REPORT_KEY = pytest.StashKey[dict]()


def _call_failed(node) -> bool:
    reports = node.stash.get(REPORT_KEY, {})
    return any(rep.failed for rep in reports.values())


def check_after(request, before: Snapshot, check_fds: bool = True) -> None:
    """The after-test half of the leak check (see the module docstring)."""
    children, threads, fds = find_leaks(before)
    if not check_fds:
        fds = {}
    if not (children or threads or fds):
        return
    message = describe(children, threads, fds)
    # clean up first so that the next test starts clean
    kill_children(children)
    # leaked fds are not closed: an object that still owns one would later
    # close whatever reuses the number.  The next test's snapshot includes
    # them, so it is not blamed.  A test that already failed is not reported
    # twice (its traceback keeps its locals, and their fds, alive).
    if _call_failed(request.node):
        return
    pytest.fail('test leaked resources:\n' + message, pytrace=False)


@pytest.fixture(autouse=True)
def leak_check(request):
    """Fail a test that leaves a child process, a thread or an fd behind.

    Opt out with ``@pytest.mark.allow_leaks("why")``.
    """
    if request.node.get_closest_marker('allow_leaks') is not None:
        yield
        return
    before = Snapshot()
    yield
    check_after(request, before)


@pytest.fixture
def leak_check_processes(request):
    """The same check without file descriptors.

    For code blocks of a document, which share one namespace: an object made
    in one block (a Connection, say) legitimately lives on into the next.
    Descriptors are checked once per document instead
    (:func:`fds_leaked_since`).
    """
    before = Snapshot()
    yield
    check_after(request, before, check_fds=False)


def fds_leaked_since(before_fds: dict) -> dict:
    """Descriptors open now that were not in *before_fds* (after a grace)."""
    snap = Snapshot.__new__(Snapshot)
    snap.fds = before_fds
    deadline = time.monotonic() + FD_GRACE
    while True:
        gc.collect()
        fds = _new_fds(snap)
        if not fds or time.monotonic() >= deadline:
            return fds
        time.sleep(0.05)


def store_report(item, report) -> None:
    """Called from a pytest_runtest_makereport hook wrapper."""
    item.stash.setdefault(REPORT_KEY, {})[report.when] = report
