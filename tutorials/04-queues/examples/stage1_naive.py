"""Stage 1: a queue that is just a pipe.  put() sends, get() receives."""
import multiprocessing as mp
import threading


class PipeQueue:
    def __init__(self):
        self._reader, self._writer = mp.Pipe(duplex=False)

    def put(self, obj):
        self._writer.send(obj)         # pickles and writes, right now

    def get(self):
        return self._reader.recv()     # reads one message and unpickles it


def produce(q):
    for word in ['one', 'two', 'three']:
        q.put(word)


if __name__ == '__main__':
    q = PipeQueue()
    p = mp.Process(target=produce, args=(q,))
    p.start()
    print([q.get() for _ in range(3)])
    p.join()

    # The weak point: put() writes to the pipe itself, so it blocks as soon
    # as the pipe is full, until somebody reads.
    putter = threading.Thread(target=q.put, args=('x' * 1_000_000,))
    putter.start()
    putter.join(timeout=0.5)
    print('put() of 1 MB still blocked after 0.5 s:', putter.is_alive())
    print('get():', len(q.get()), 'characters')
    putter.join(timeout=10)
    print('put() returned:', not putter.is_alive())
