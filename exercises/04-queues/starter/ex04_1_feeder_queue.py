"""Exercise 04.1: a queue made of a pipe, two locks and a feeder thread.

Builds a piece of teachmp (compare with ``teachmp/queues.py``).  Uses:
multiprocessing.Pipe, Connection.send_bytes/recv_bytes/poll,
multiprocessing.Lock, threading.Thread/Condition, pickle, queue.Empty.

``put`` only appends to a buffer in this process and returns at once; a
*feeder thread*, started by the first ``put``, pickles the buffered items
and writes them to the pipe while holding the write lock.  ``get`` reads
one message while holding the read lock.
"""
import collections
import os
import pickle
import queue
import sys
import threading
import time
import multiprocessing as mp

_STOP = object()        # put in the buffer by close(): the feeder's last item


class FeederQueue:
    # -- given: the shared parts and the per-process parts ---------------------

    def __init__(self):
        self._reader, self._writer = mp.Pipe(duplex=False)
        self._rlock = mp.Lock()         # one reader at a time
        self._wlock = mp.Lock()         # one writer (feeder thread) at a time
        self._reset()

    def _reset(self):
        """The state that belongs to one process: never inherited."""
        self._pid = os.getpid()
        self._buffer = collections.deque()
        self._notempty = threading.Condition()
        self._thread = None
        self._closed = False

    def _this_process(self):
        """Call first in put(): a forked child starts with a fresh state."""
        if self._pid != os.getpid():
            self._reset()

    def __getstate__(self):             # a spawned child gets no buffer
        return self._reader, self._writer, self._rlock, self._wlock

    def __setstate__(self, state):
        self._reader, self._writer, self._rlock, self._wlock = state
        self._reset()

    # -- the exercise ----------------------------------------------------------

    def put(self, obj):
        """Append ``obj`` to this process's buffer and return at once (never
        blocks).  The first put in a process starts the feeder thread
        (a daemon thread running ``self._feed``).  After ``close()``:
        raise ``ValueError``."""
        raise NotImplementedError('exercise 04.1: put()')

    def _feed(self):
        """The feeder thread: wait for buffered items; pickle each one (outside
        the lock), then write it with ``send_bytes`` while holding the write
        lock.  An item that cannot be pickled: print one line to
        ``sys.stderr`` naming its type, drop it, carry on.  Stop after
        writing everything that was put before ``close()``."""
        raise NotImplementedError('exercise 04.1: _feed()')

    def get(self, block=True, timeout=None):
        """Remove and return the oldest item, holding the read lock while
        reading.  ``block=False``: raise ``queue.Empty`` at once when no
        item is in the pipe.  ``timeout``: raise ``queue.Empty`` when none
        arrives within ``timeout`` seconds (waiting for the lock included)."""
        raise NotImplementedError('exercise 04.1: get()')

    def close(self):
        """This process puts nothing more: later puts raise ``ValueError``;
        the feeder thread writes what is buffered, then ends."""
        raise NotImplementedError('exercise 04.1: close()')

    def join_thread(self):
        """After ``close()``: wait until the feeder thread has written
        everything and ended (return at once if there was no thread)."""
        raise NotImplementedError('exercise 04.1: join_thread()')
