# example: skip "needs pi_server.py running; loopback.py runs the pair"
"""Host B (and C, D...): connect to the server, then work or collect.

    PI_AUTHKEY=... python pi_client.py work    --host hostA --port 50000
    PI_AUTHKEY=... python pi_client.py collect --host hostA --port 50000
"""
import argparse
import os
import queue
from multiprocessing.managers import BaseManager

from montecarlo import count_hits, estimate


class PiManager(BaseManager):
    pass


PiManager.register('get_todo')      # no callable: the objects live
PiManager.register('get_done')      # in the server

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('action', choices=['work', 'collect'])
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    args = parser.parse_args()

    manager = PiManager(address=(args.host, args.port),
                        authkey=os.environb[b'PI_AUTHKEY'])
    manager.connect()               # raises AuthenticationError on a bad key
    todo, done = manager.get_todo(), manager.get_done()

    if args.action == 'work':
        n = 0
        while True:
            try:
                task = todo.get_nowait()    # raised queue.Empty in the
            except queue.Empty:             # server, re-raised here
                break
            done.put((task[0], count_hits(task)))
            n += 1
        print('worked on', n, 'tasks')
    else:
        results = dict(done.get(timeout=10) for _ in range(8))
        hits = [results[seed] for seed in sorted(results)]
        print('hits per task:', hits)
        print('pi is about', estimate(hits))
