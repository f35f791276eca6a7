"""A Queue's feeder thread: moves what ``put`` buffered into the pipe.

``Queue.put`` only appends the object to a buffer (a ``collections.deque``)
and wakes this thread.  The thread's loop, ``Feeder.run``, is:

1. wait until the buffer holds something, and take all of it (or, when the
   items are big, about 256 KiB of pickles' worth: ``_take_buffered``);
2. pickle each object -- *outside* the write lock, so that the feeders of
   other processes can write while this one pickles;
3. take the write lock, write the pickles as frames, give the lock back: two
   processes' messages never interleave in the pipe;
4. let go of the objects (a ``__del__`` runs now, as in the stdlib), and start
   again.

The stop marker ``_sentinel`` (the stdlib's name; ``close()``, the exit hooks
and the garbage collection of the Queue put it in the buffer) ends the loop
once everything before it is written; the thread then closes this process's
ends of the pipe.

An object that cannot be pickled, or a write that fails, goes to
``on_error(exc, obj)`` -- the Queue's ``_on_queue_feeder_error`` hook, which
``concurrent.futures`` overrides to fail the task's future -- and its slot is
given back, so that ``qsize()`` and ``maxsize`` stay right.

The feeder holds the pieces of the Queue it uses and no reference to the
Queue itself, on purpose: a Queue the program has dropped can be garbage
collected while its thread still runs, and its finalizer stops the thread.

One speed-up, in its own function: step 3 writes a whole batch under one
acquisition of the lock, and joins small frames into few ``os.write`` calls
(``_write_joined``; ``make bench``, case ``queue_one``, measures it).
"""

import errno
import threading

from teachmp import util
from teachmp.connection import _HEADER, _SMALL_MESSAGE
from teachmp.reduction import ForkingPickler

_sentinel = object()    # put in the buffer to stop the feeder (stdlib name)


class Feeder:
    """The feeder thread of one Queue in one process (see the module docstring)."""

    def __init__(self, buffer, notempty, writer, wlock, close_reader, sem,
                 written, on_error, ignore_epipe=False):
        self.buffer = buffer            # objects put() appended, oldest first
        self.notempty = notempty        # put() notifies it; guards buffer and unwritten
        self.writer = writer            # the pipe's write end
        self.wlock = wlock              # a NotedLock shared by the feeders of every process
        self.close_reader = close_reader
        self.sem = sem                  # maxsize slots (BoundedSemaphore) or None
        self.written = written          # shared count of items written, or None
        self.on_error = on_error        # called as on_error(exc, obj)
        self.ignore_epipe = ignore_epipe    # no reader left: stop, say nothing
        self.unwritten = 0              # put() in this process, not yet written
        self.take = 1                   # items per batch, see _take_buffered
        self.thread = threading.Thread(target=self.run, name='QueueFeederThread',
                                       daemon=True)

    def __repr__(self):
        return '<Feeder %s unwritten=%d>' % (
            'running' if self.thread.is_alive() else 'stopped', self.unwritten)

    def run(self):
        """The thread: take what put() buffered, pickle it, write it."""
        while True:
            objs = self._take_buffered()
            pickles, stop = [], False
            for obj in objs:
                if obj is _sentinel:
                    stop = True
                    break
                try:
                    pickles.append(ForkingPickler.dumps(obj))
                except Exception as exc:
                    self._dropped(1)
                    self.on_error(exc, obj)
            objs = obj = None           # sent as pickles: let the objects go
            if pickles and not self._write(pickles):
                return                  # the pipe broke while this process exits
            pickles = None
            if stop:
                # close() means this process is done with the queue: give
                # both descriptors back (get() refuses once closed).
                self.close_reader()
                self.writer.close()
                return

    def _take_buffered(self):
        """Wait until the buffer holds something; take the oldest items, in order.

        Usually all of them.  But a batch is pickled as a whole before it is
        written, so a backlog of big items would be held twice, as objects
        and as pickles, all of it at once.  So the batch is capped at what
        should pickle to about ``_TAKE_BYTES``, judged from the last batch
        (``_write`` sets ``take``): one item at a time when the items are
        big, which is all the stdlib ever holds, since it pickles one item
        at a time.
        """
        with self.notempty:
            while not self.buffer:
                self.notempty.wait()
            if len(self.buffer) <= self.take:
                objs = list(self.buffer)
                self.buffer.clear()
            else:
                objs = [self.buffer.popleft() for _ in range(self.take)]
        return objs

    def _write(self, pickles):
        """Write the pickles under the write lock; False if the pipe broke
        while this process is exiting, or broke with the queue's
        ``_ignore_epipe`` set (the readers have gone: not worth a word)."""
        size = sum(map(len, pickles))
        self.take = max(1, _TAKE_BYTES * len(pickles) // max(size, 1))
        self.wlock.acquire()            # notes this process as the writer
        try:
            _write_joined(self.writer, pickles)
            # Still under the write lock, which every feeder of this queue
            # takes: the shared count cannot lose an update.
            with self.notempty:         # qsize() reads both counts under it
                if self.written is not None:
                    self.written.value += len(pickles)
                self.unwritten -= len(pickles)
        except OSError as exc:
            # A pipe write fails only when the pipe is broken (every reader
            # gone): what part of the batch got through no longer matters.
            self._dropped(len(pickles))
            if util._exiting or (self.ignore_epipe and exc.errno == errno.EPIPE):
                return False
            self.on_error(exc, pickles[0])
        finally:
            self.wlock.release()        # clears the note, then releases
        return True

    def _dropped(self, n):
        """n items will never be in the pipe: uncount them, give their slots back."""
        with self.notempty:
            self.unwritten -= n
        if self.sem is not None:
            for _ in range(n):
                self.sem.release()


_BATCH_BYTES = 65536        # join small frames up to this many bytes
_TAKE_BYTES = 1 << 18       # pickles one batch may hold, about (_take_buffered)


def _write_joined(writer, pickles):
    """Write each pickle as one frame, like ``writer.send_bytes`` each would.

    Why not simply ``send_bytes`` each: that is one ``os.write`` per frame,
    and for small items the system call is most of the cost.  Small frames
    (header + pickle) are joined into writes of up to 64 KiB instead; a big
    pickle goes on its own (joining would only copy it).  The caller holds
    the write lock, so the frames stay whole however the kernel splits a
    write.
    """
    chunk, size = [], 0
    for data in pickles:
        if len(data) > _SMALL_MESSAGE:
            if chunk:
                writer._send(b''.join(chunk))
                chunk, size = [], 0
            writer.send_bytes(data)
            continue
        chunk += (_HEADER.pack(len(data)), data)
        size += 4 + len(data)
        if size >= _BATCH_BYTES:
            writer._send(b''.join(chunk))
            chunk, size = [], 0
    if chunk:
        writer._send(b''.join(chunk))
