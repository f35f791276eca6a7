"""The objects a Pool hands back before the work is done.

Each call to ``apply_async``/``map_async``/``imap`` gets a *job* number and a
result object, registered in the pool's ``cache`` under that number.  The
pool's result-handler thread receives ``(job, i, (ok, value))`` messages from
workers and calls ``cache[job]._set(i, (ok, value))``; the caller meanwhile
waits on a ``threading.Event`` (``ApplyResult``, ``MapResult``) or a
``threading.Condition`` (``IMapIterator``).  When a result is complete it
removes itself from the cache -- an empty cache is how ``close()`` + ``join()``
know that all the work is finished.

``_set`` ignores a second message for the same part: when a worker dies
right after sending its result, the pool may also report that part as lost,
and the first word wins.
"""

import collections
import itertools
import threading
import types

from teachmp.errors import TimeoutError

job_counter = itertools.count()


class ApplyResult:
    """The result of ``apply_async``: ``get()`` waits for it."""

    def __init__(self, pool, callback, error_callback):
        self._pool = pool               # keeps the pool alive until ready
        self._event = threading.Event()
        self._job = next(job_counter)
        self._cache = pool._cache
        self._callback = callback
        self._error_callback = error_callback
        self._cache[self._job] = self

    def ready(self):
        """Has the result arrived (value or exception)?"""
        return self._event.is_set()

    def successful(self):
        """Did the call return without raising?  ValueError if not ready."""
        if not self.ready():
            raise ValueError('{0!r} not ready'.format(self))
        return self._success

    def wait(self, timeout=None):
        """Wait until ready, or until ``timeout`` seconds pass."""
        self._event.wait(timeout)

    def get(self, timeout=None):
        """The value; re-raises the worker's exception; TimeoutError if late."""
        self.wait(timeout)
        if not self.ready():
            raise TimeoutError
        if self._success:
            return self._value
        raise self._value

    def _set(self, i, obj):
        if self.ready():
            return                  # already answered (see module docstring)
        self._success, self._value = obj
        self._finish()

    def _finish(self):
        try:
            if self._success and self._callback:
                self._callback(self._value)
            if not self._success and self._error_callback:
                self._error_callback(self._value)
        except Exception:
            # A failing callback must not kill the result-handler thread
            # (every later result would then hang): report it and go on.
            import traceback
            traceback.print_exc()
        finally:
            self._event.set()
            self._cache.pop(self._job, None)
            self._pool = None       # the pool may be collected now

    def _fail(self, error):
        """Complete with ``error`` now (the pool was terminated)."""
        if not self.ready():
            self._success, self._value = False, error
            self._finish()

    # stdlib-compat: ApplyResult[int] in annotations
    __class_getitem__ = classmethod(types.GenericAlias)


AsyncResult = ApplyResult


class MapResult(ApplyResult):
    """A list assembled from chunks; ready when every chunk has reported."""

    def __init__(self, pool, chunksize, length, callback, error_callback):
        super().__init__(pool, callback, error_callback)
        self._success = True
        self._value = [None] * length
        self._chunksize = chunksize
        self._seen = set()
        if chunksize <= 0:
            self._number_left = 0
            self._finish()
        else:
            self._number_left = -(-length // chunksize)

    def _set(self, i, success_result):
        if i in self._seen or self.ready():
            return
        self._seen.add(i)
        self._number_left -= 1
        ok, result = success_result
        if ok and self._success:
            start = i * self._chunksize
            self._value[start:start + self._chunksize] = result
        elif not ok and self._success:
            self._success = False   # keep the first error only
            self._value = result
        if self._number_left == 0:  # ready only when every chunk is back
            self._finish()


class IMapIterator:
    """Yields results in order as they arrive; ``next(timeout)`` may time out."""

    def __init__(self, pool):
        self._pool = pool               # keeps the pool alive until done
        self._cond = threading.Condition(threading.Lock())
        self._job = next(job_counter)
        self._cache = pool._cache
        self._items = collections.deque()
        self._index = 0             # how many results have been queued
        self._length = None         # known once all tasks are submitted
        self._unsorted = {}
        self._seen = set()
        self._cache[self._job] = self

    def __iter__(self):
        return self

    def _done(self):
        # Every result is in: out of the cache, and let go of the pool.
        self._cache.pop(self._job, None)
        self._pool = None

    def next(self, timeout=None):
        """The next result, waiting up to ``timeout`` seconds (``TimeoutError``)."""
        with self._cond:
            if not self._items:
                if self._index == self._length:
                    raise StopIteration from None
                self._cond.wait(timeout)
                if not self._items:
                    if self._index == self._length:
                        raise StopIteration from None
                    raise TimeoutError from None
            ok, value = self._items.popleft()
        if ok:
            return value
        raise value

    __next__ = next

    def _set(self, i, obj):
        with self._cond:
            if i in self._seen:
                return
            self._seen.add(i)
            self._accept(i, obj)
            if self._index == self._length:
                self._done()

    def _accept(self, i, obj):
        # Keep order: park early arrivals until the gap before them fills.
        if self._index == i:
            self._items.append(obj)
            self._index += 1
            while self._index in self._unsorted:
                self._items.append(self._unsorted.pop(self._index))
                self._index += 1
            self._cond.notify()
        else:
            self._unsorted[i] = obj

    def _fail(self, error):
        with self._cond:
            self._items.append((False, error))
            self._index += 1
            self._length = self._index
            self._cond.notify()
            self._done()

    def _set_length(self, length):
        with self._cond:
            self._length = length
            if self._index == self._length:
                self._cond.notify()
                self._done()


class IMapUnorderedIterator(IMapIterator):
    """Like IMapIterator, but yields each result as soon as it arrives."""

    def _accept(self, i, obj):
        self._items.append(obj)
        self._index += 1
        self._cond.notify()
