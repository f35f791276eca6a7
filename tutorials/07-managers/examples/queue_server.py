# example: skip "serves until Ctrl-C; remote_loopback.py runs the pair"
"""Terminal 1: a manager server that hands out one shared queue over TCP."""
import queue
from multiprocessing.managers import BaseManager

jobs = queue.Queue()            # lives in this process, the server


def get_jobs():
    return jobs                 # every client gets a proxy to the same queue


class QueueManager(BaseManager):
    pass


QueueManager.register('get_jobs', callable=get_jobs)

if __name__ == '__main__':
    # '' = every network interface of this machine; use 127.0.0.1 to stay local.
    manager = QueueManager(address=('', 50000), authkey=b'use a long random key')
    server = manager.get_server()
    print('serving on port', server.address[1], '- Ctrl-C stops')
    server.serve_forever()
