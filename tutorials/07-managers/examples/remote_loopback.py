"""The server/client pair of queue_server.py and queue_client.py in one
program: the server runs in a child process on 127.0.0.1 with port 0 (the
system picks a free port) and reports its address through a Pipe."""
import multiprocessing as mp
import queue
from multiprocessing.managers import BaseManager

AUTHKEY = b'a key both sides know'
jobs = queue.Queue()


def get_jobs():
    return jobs


class QueueManager(BaseManager):
    pass


QueueManager.register('get_jobs', callable=get_jobs)


def serve(report):
    manager = QueueManager(address=('127.0.0.1', 0), authkey=AUTHKEY)
    server = manager.get_server()           # "terminal 1"
    report.send(server.address)             # the real port, not 0
    report.close()
    server.serve_forever()


def producer(address, words):
    manager = QueueManager(address=address, authkey=AUTHKEY)
    manager.connect()                       # "terminal 2"
    jobs = manager.get_jobs()
    for word in words:
        jobs.put(word)


if __name__ == '__main__':
    mine, theirs = mp.Pipe(duplex=False)
    server_process = mp.Process(target=serve, args=(theirs,))
    server_process.start()
    theirs.close()
    if not mine.poll(10):
        raise SystemExit('the server did not start')
    address = mine.recv()

    p = mp.Process(target=producer, args=(address, ['apple', 'banana', 'cherry']))
    p.start()
    p.join()

    manager = QueueManager(address=address, authkey=AUTHKEY)
    manager.connect()                       # "terminal 3"
    jobs = manager.get_jobs()
    try:
        while True:
            print('got', jobs.get(timeout=0.5))
    except queue.Empty:
        print('queue is empty')

    try:
        QueueManager(address=address, authkey=b'a wrong key').connect()
    except mp.AuthenticationError as e:
        print('wrong key:', type(e).__name__)

    del jobs, manager
    server_process.terminate()              # what Ctrl-C does in terminal 1
    server_process.join()
    print('server exit code:', server_process.exitcode)
