"""SharedMemoryManager: a manager that remembers segments and removes them.

A ``SharedMemory`` segment outlives the process that made it until someone
calls ``unlink()``; a program that forgets leaves a file in ``/dev/shm``.
``SharedMemoryManager`` gives the segments an owner: its ``SharedMemory(size)``
and ``ShareableList(sequence)`` create the segment *in the calling process*
(so the caller maps it directly, no proxy in the way) and then tell the
manager's server its name.  When the manager shuts down -- ``shutdown()``,
the end of a ``with`` block, or the server noticing that its owner died --
the server unlinks every segment it was told about.

The server is an ordinary manager ``Server`` with three more requests:
``track_segment``, ``release_segment`` (unlink one now) and
``list_segments``.
"""

import os

from teachmp import log, shared_memory
from teachmp.manager_server import Server, State
from teachmp.managers import BaseManager
from teachmp.errors import ProcessError
from teachmp.proxies import dispatch

__all__ = ['SharedMemoryManager', 'SharedMemoryServer']


class _SharedMemoryTracker:
    """The names of the segments one server must unlink at the end."""

    def __init__(self, name, segment_names=None):
        self.shared_memory_context_name = name
        self.segment_names = list(segment_names or [])

    def register_segment(self, segment_name):
        log.debug('register segment %r in pid %d', segment_name, os.getpid())
        self.segment_names.append(segment_name)

    def destroy_segment(self, segment_name):
        log.debug('destroy segment %r in pid %d', segment_name, os.getpid())
        self.segment_names.remove(segment_name)
        segment = shared_memory.SharedMemory(segment_name)
        segment.close()
        segment.unlink()

    def unlink(self):
        for segment_name in list(self.segment_names):
            try:
                self.destroy_segment(segment_name)
            except FileNotFoundError:   # someone unlinked it already
                pass

    def __repr__(self):
        return '<%s %s: %d segments>' % (type(self).__name__,
                                         self.shared_memory_context_name,
                                         len(self.segment_names))


class SharedMemoryServer(Server):
    """A manager server that unlinks the segments it tracks when it stops."""

    public = Server.public + ['track_segment', 'release_segment', 'list_segments']

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared_memory_context = _SharedMemoryTracker(
            'shm_%s_%d' % (self.address, os.getpid()))

    def serve_forever(self):
        try:
            super().serve_forever()
        finally:                        # shutdown, or the owner died
            self.shared_memory_context.unlink()

    def shutdown(self, conn):
        """Unlink every tracked block, then stop the server."""
        self.shared_memory_context.unlink()
        return super().shutdown(conn)

    def track_segment(self, conn, segment_name):
        """Remember block ``segment_name``: it is unlinked at shutdown."""
        self.shared_memory_context.register_segment(segment_name)

    def release_segment(self, conn, segment_name):
        """Unlink block ``segment_name`` now and forget it."""
        self.shared_memory_context.destroy_segment(segment_name)

    def list_segments(self, conn):
        """The names of the blocks this server tracks."""
        return self.shared_memory_context.segment_names


class SharedMemoryManager(BaseManager):
    """A manager whose segments are unlinked when it shuts down."""

    _Server = SharedMemoryServer

    def get_server(self):
        if self._state.value != State.INITIAL:
            raise ProcessError('Already started SharedMemoryServer'
                               if self._state.value == State.STARTED
                               else 'SharedMemoryManager has shut down')
        return self._Server(self._registry, self._address, self._authkey,
                            self._serializer)

    def _track(self, segment):
        """Tell the server about a segment just made; unlink it if that fails."""
        conn = self._Client(self._address, authkey=self._authkey)
        try:
            dispatch(conn, None, 'track_segment', (segment.name,))
        except BaseException:
            segment.close()
            segment.unlink()
            raise
        finally:
            conn.close()

    def SharedMemory(self, size):
        """A new ``SharedMemory`` of ``size`` bytes, owned by this manager."""
        segment = shared_memory.SharedMemory(None, create=True, size=size)
        self._track(segment)
        return segment

    def ShareableList(self, sequence):
        """A new ``ShareableList`` holding ``sequence``, owned by this manager."""
        shareable = shared_memory.ShareableList(sequence)
        self._track(shareable.shm)
        return shareable
