"""empty() and qsize() answer different questions, and both are snapshots.

To make the gap visible every time, the item's pickling waits for a
signal: the feeder thread (which pickles in the background) is held up
between put() and the pipe, exactly where a busy machine may hold it.
"""
import multiprocessing as mp
import queue
import threading

go_on = threading.Event()


class Slow:
    def __reduce__(self):              # runs in the feeder thread
        go_on.wait(10)
        return (Slow, ())


if __name__ == '__main__':
    q = mp.Queue()
    q.put(Slow())                      # returned at once: item is buffered
    print('qsize():', q.qsize())       # counted when put() returned
    print('empty():', q.empty())       # but nothing is in the pipe yet
    try:
        q.get_nowait()
    except queue.Empty:
        print('get_nowait(): queue.Empty')
    go_on.set()                        # let the feeder pickle and write
    print('get():', type(q.get(timeout=10)).__name__)
    print('qsize():', q.qsize(), 'empty():', q.empty())
