# example: skip "needs queue_server.py running in another terminal"
"""Terminal 2 (and 3...): put words on the server's queue, or take them off.

    python queue_client.py put apple banana cherry
    python queue_client.py get
    python queue_client.py get --host 192.168.1.20
"""
import argparse
import queue
from multiprocessing.managers import BaseManager


class QueueManager(BaseManager):
    pass


QueueManager.register('get_jobs')      # no callable: the server has it

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('action', choices=['put', 'get'])
    parser.add_argument('words', nargs='*')
    parser.add_argument('--host', default='127.0.0.1')
    args = parser.parse_args()

    manager = QueueManager(address=(args.host, 50000),
                           authkey=b'use a long random key')
    manager.connect()                  # no new process: talk to the server
    jobs = manager.get_jobs()
    if args.action == 'put':
        for word in args.words:
            jobs.put(word)
        print('put', len(args.words), 'words')
    else:
        try:
            while True:
                print('got', jobs.get(timeout=1))
        except queue.Empty:            # raised in the server, re-raised here
            print('queue is empty')
