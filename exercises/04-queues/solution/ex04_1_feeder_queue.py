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
        self._this_process()
        if self._closed:
            raise ValueError('put() on a closed FeederQueue')
        self._append(obj)

    def _append(self, obj):
        with self._notempty:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._feed, name='FeederThread', daemon=True)
                self._thread.start()
            self._buffer.append(obj)
            self._notempty.notify()

    def _feed(self):
        """The feeder thread: wait for buffered items; pickle each one (outside
        the lock), then write it with ``send_bytes`` while holding the write
        lock.  An item that cannot be pickled: print one line to
        ``sys.stderr`` naming its type, drop it, carry on.  Stop after
        writing everything that was put before ``close()``."""
        while True:
            with self._notempty:
                while not self._buffer:
                    self._notempty.wait()
                obj = self._buffer.popleft()
            if obj is _STOP:
                return
            try:
                data = pickle.dumps(obj)
            except Exception as exc:
                print(f'FeederQueue: dropped a {type(obj).__name__} object '
                      f'that cannot be pickled ({exc})', file=sys.stderr)
                continue
            with self._wlock:
                self._writer.send_bytes(data)

    def get(self, block=True, timeout=None):
        """Remove and return the oldest item, holding the read lock while
        reading.  ``block=False``: raise ``queue.Empty`` at once when no
        item is in the pipe.  ``timeout``: raise ``queue.Empty`` when none
        arrives within ``timeout`` seconds (waiting for the lock included)."""
        if not block:
            timeout = 0
        deadline = None if timeout is None else time.monotonic() + timeout
        if deadline is None:
            self._rlock.acquire()
        elif not self._rlock.acquire(True, max(timeout, 0)):
            raise queue.Empty
        try:
            if deadline is not None:
                if not self._reader.poll(max(deadline - time.monotonic(), 0)):
                    raise queue.Empty
            data = self._reader.recv_bytes()
        finally:
            self._rlock.release()
        return pickle.loads(data)

    def close(self):
        """This process puts nothing more: later puts raise ``ValueError``;
        the feeder thread writes what is buffered, then ends."""
        self._this_process()
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._append(_STOP)

    def join_thread(self):
        """After ``close()``: wait until the feeder thread has written
        everything and ended (return at once if there was no thread)."""
        if not self._closed:
            raise AssertionError('join_thread() before close()')
        if self._thread is not None:
            self._thread.join()
