"""Stage 2: a lock at each end, so that messages from several processes
never mix.  (Run with --naive to try stage 1's queue instead: with several
writers and large messages its frames get cut into each other.)"""
import multiprocessing as mp
import pickle
import sys

from stage1_naive import PipeQueue


class LockedPipeQueue(PipeQueue):
    def __init__(self):
        super().__init__()
        self._rlock = mp.Lock()        # one reader at a time
        self._wlock = mp.Lock()        # one writer at a time

    def put(self, obj):
        data = pickle.dumps(obj)       # pickle outside the lock
        with self._wlock:
            self._writer.send_bytes(data)

    def get(self):
        with self._rlock:
            data = self._reader.recv_bytes()
        return pickle.loads(data)      # unpickle outside the lock


SIZE = 200_000                         # bigger than what one write() moves


def produce(q, letter):
    for _ in range(10):
        q.put(letter * SIZE)


if __name__ == '__main__':
    q = PipeQueue() if '--naive' in sys.argv else LockedPipeQueue()
    procs = [mp.Process(target=produce, args=(q, letter)) for letter in 'abcd']
    for p in procs:
        p.start()
    try:
        messages = [q.get() for _ in range(40)]
        intact = all(m == m[0] * SIZE for m in messages)
        print(len(messages), 'messages, all intact:', intact)
    except Exception as exc:           # what --naive may end with
        print('broken stream:', type(exc).__name__, exc)
    finally:
        for p in procs:
            p.join(timeout=1)
            if p.is_alive():
                p.kill()
                p.join()
