"""Stage 3: put() only appends to a buffer; a feeder thread does the
pickling and the writing in the background."""
import collections
import multiprocessing as mp
import os
import pickle
import threading
import time

from stage2_locks import LockedPipeQueue

_STOP = object()                       # close(): the feeder's last item


class FeederPipeQueue(LockedPipeQueue):
    def __init__(self):
        super().__init__()
        self._reset()

    def _reset(self):                  # per process: buffers are not shared
        self._pid = os.getpid()
        self._buffer = collections.deque()
        self._notempty = threading.Condition()
        self._thread = None

    def __getstate__(self):            # what a child receives: no buffer
        return self._reader, self._writer, self._rlock, self._wlock

    def __setstate__(self, state):
        self._reader, self._writer, self._rlock, self._wlock = state
        self._reset()

    def put(self, obj):
        if self._pid != os.getpid():   # a forked child: start afresh
            self._reset()
        with self._notempty:
            if self._thread is None:
                self._thread = threading.Thread(target=self._feed, daemon=True)
                self._thread.start()
            self._buffer.append(obj)
            self._notempty.notify()

    def _feed(self):                   # the feeder thread
        while True:
            with self._notempty:
                while not self._buffer:
                    self._notempty.wait()
                obj = self._buffer.popleft()
            if obj is _STOP:
                return
            data = pickle.dumps(obj)
            with self._wlock:
                self._writer.send_bytes(data)

    def close(self):                   # no more puts: flush, then stop
        self.put(_STOP)

    def join_thread(self):             # wait until everything is written
        self._thread.join()


def produce(q):
    for i in range(5):
        q.put(('item', i, 'x' * 100_000))
    q.close()
    q.join_thread()                    # without this, exiting loses items


if __name__ == '__main__':
    q = FeederPipeQueue()
    start = time.monotonic()
    q.put('x' * 1_000_000)             # nobody reads yet, and yet...
    print('put() of 1 MB returned at once:', time.monotonic() - start < 0.3)
    print('get():', len(q.get()), 'characters')

    p = mp.Process(target=produce, args=(q,))
    p.start()
    print([q.get()[:2] for _ in range(5)])
    p.join()
    print('exit code:', p.exitcode)
