"""Put this process in a smaller world: a tiny /dev/shm, or a non-root user.

Two faults cannot be made on the machine itself without hurting everybody
else on it: a full ``/dev/shm`` (every program on the machine shares it) and
a low ``RLIMIT_NPROC`` (the kernel does not enforce it for root, and the
tests run as root).  So the process that runs such a test first moves into a
world of its own, and every child it starts inherits that world:

``small_dev_shm(size)``  a private mount namespace (``unshare(CLONE_NEWNS)``,
    ``/`` made private so nothing leaks back out) with a fresh tmpfs of
    ``size`` bytes mounted on ``/dev/shm``.  The tmpfs goes away with the
    last process in the namespace.
``drop_privileges(uid)``  become ``uid`` (and the same gid), a user of its
    own: the kernel counts ``RLIMIT_NPROC`` per user, machine-wide, so two
    cells sharing ``nobody`` would eat each other's allowance.  The interpreter
    may live under a directory that user cannot enter (pyenv under
    ``/root``); then, in a private mount namespace, a tmpfs with mode 0755
    is laid over that directory with only the interpreter's tree bound back
    into it, so that user can run it and nothing else of it is visible.
``pids_of(uid)``, ``nproc_in_use(uid)``  the user's processes, and how
    many tasks (processes *and* threads: the kernel counts both against
    ``RLIMIT_NPROC``) the user has now.

Each returns ``None`` on success, or a sentence saying why it is impossible
here (not Linux, not root, no namespaces), which the caller turns into a
skip.  Only ``ctypes`` calls into libc, so this works on Python 3.11 (which
has no ``os.unshare``).
"""

import ctypes
import ctypes.util
import os
import sys
import tempfile

CLONE_NEWNS = 0x00020000
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_DUMPABLE = 4
NOBODY = 65534

_libc = None


def _call(func, *args):
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
    if getattr(_libc, func)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, '%s: %s' % (func, os.strerror(err)))


def _enc(s):
    return None if s is None else os.fsencode(s)


def _mount(source, target, fstype, flags, data):
    _call('mount', _enc(source), _enc(target), _enc(fstype), ctypes.c_ulong(flags), _enc(data))


def why_not():
    """None if namespaces and mounts are possible here, else the reason."""
    if not sys.platform.startswith('linux'):
        return 'needs Linux (mount namespaces)'
    if os.geteuid() != 0:
        return 'needs root (to make a mount namespace)'
    return None


def private_mounts():
    """Unshare the mount namespace; later mounts stay in this process tree."""
    reason = why_not()
    if reason:
        return reason
    try:
        _call('unshare', CLONE_NEWNS)
        _mount(None, '/', None, MS_REC | MS_PRIVATE, None)
    except OSError as exc:
        return 'cannot make a private mount namespace (%s)' % exc
    return None


def small_dev_shm(size):
    """A private tmpfs of ``size`` bytes on /dev/shm (see the module doc)."""
    reason = private_mounts()
    if reason:
        return reason
    try:
        _mount('tmpfs', '/dev/shm', 'tmpfs', 0, 'size=%d,mode=1777' % size)
    except OSError as exc:
        return 'cannot mount a tmpfs on /dev/shm (%s)' % exc
    return None


def _blocked_ancestor(path, uid):
    """The first directory above ``path`` that ``uid`` may not enter."""
    parts = os.path.realpath(path).split(os.sep)
    for i in range(2, len(parts)):
        d = os.sep.join(parts[:i])
        st = os.stat(d)
        if st.st_uid != uid and not st.st_mode & 0o001:
            return d, parts[i]
    return None


def _lay_open(blocked, child):
    # bind the child aside, cover ``blocked`` with an open tmpfs, move the
    # child back in: the uid sees ``child`` and nothing else of ``blocked``
    stage = tempfile.mkdtemp(prefix='teachmp-stage-')
    try:
        _mount(os.path.join(blocked, child), stage, None, MS_BIND | MS_REC, None)
        _mount('tmpfs', blocked, 'tmpfs', 0, 'size=64k,mode=0755')
        os.mkdir(os.path.join(blocked, child))
        _mount(stage, os.path.join(blocked, child), None, MS_MOVE, None)
    finally:
        os.rmdir(stage)


def uid_of_its_own():
    """A uid no account uses, different for each process (by its pid)."""
    return 200000 + os.getpid()


def drop_privileges(uid=NOBODY, paths=()):
    """Become ``uid``, able to read the interpreter and ``paths``."""
    reason = why_not()
    if reason:
        return reason
    needed = [sys.base_prefix, sys.prefix, os.path.realpath(sys.executable)] + list(paths)
    try:
        if any(_blocked_ancestor(p, uid) for p in needed):
            reason = private_mounts()
            if reason:
                return reason
            for p in needed:
                blocked = _blocked_ancestor(p, uid)
                if blocked:
                    _lay_open(*blocked)
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        # a process whose uid changed is not "dumpable": its /proc/self
        # would belong to root and the leak check could not read its fds
        _call('prctl', PR_SET_DUMPABLE, ctypes.c_ulong(1), ctypes.c_ulong(0),
              ctypes.c_ulong(0), ctypes.c_ulong(0))
    except OSError as exc:
        return 'cannot become uid %d (%s)' % (uid, exc)
    for p in needed + [tempfile.gettempdir()]:
        mode = os.W_OK | os.X_OK if p == tempfile.gettempdir() else os.R_OK
        if not os.access(p, mode):
            return 'uid %d cannot %s %s' % (uid, 'write to' if mode & os.W_OK else 'read', p)
    return None


def pids_of(uid):
    """The processes that ``uid`` owns now."""
    pids = []
    for pid in os.listdir('/proc'):
        try:
            if pid.isdigit() and os.stat('/proc/' + pid).st_uid == uid:
                pids.append(int(pid))
        except OSError:
            continue
    return pids


def nproc_in_use(uid):
    """Tasks (threads included) that ``uid`` owns now, machine-wide."""
    count = 0
    for pid in pids_of(uid):
        try:
            count += len(os.listdir('/proc/%d/task' % pid))
        except OSError:
            continue
    return count
