# example: skip "a server that runs until its stdin closes; loopback.py runs it"
"""Host A: a manager server that hands out the tasks and collects results.

    PI_AUTHKEY=... python pi_server.py --host 0.0.0.0 --port 50000

The key comes from the environment, never from the command line (other
users of the machine can read command lines with ``ps``).  The server
prints one line, ``listening on HOST PORT``, then serves until its standard
input is closed (press Ctrl-D in a terminal).
"""
import argparse
import os
import queue
import sys
from multiprocessing.managers import BaseManager

from montecarlo import tasks

todo = queue.Queue()           # these two live in the server process;
done = queue.Queue()           # clients get proxies to them


def get_todo():
    return todo


def get_done():
    return done


class PiManager(BaseManager):
    pass


PiManager.register('get_todo', callable=get_todo)
PiManager.register('get_done', callable=get_done)

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)   # 0: any free port
    args = parser.parse_args()
    authkey = os.environb[b'PI_AUTHKEY']

    for task in tasks():
        todo.put(task)
    manager = PiManager(address=(args.host, args.port), authkey=authkey)
    manager.start()            # the server runs in a child process
    host, port = manager.address
    print('listening on', host, port, flush=True)
    sys.stdin.read()           # wait for end of input
    manager.shutdown()
