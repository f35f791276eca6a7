"""initializer runs once in every new worker; maxtasksperchild retires a
worker after that many tasks, and the pool starts a fresh one (which runs
the initializer again)."""
import multiprocessing as mp
import os

connection = None               # set in each worker by the initializer


def open_connection(name):
    global connection
    connection = f'{name} opened by pid {os.getpid()}'


def query(x):
    return os.getpid(), connection, x * 10


if __name__ == '__main__':
    with mp.Pool(1, initializer=open_connection, initargs=('db',),
                 maxtasksperchild=2) as pool:
        rows = pool.map(query, range(6), chunksize=1)
    for pid, conn, value in rows:
        print(value, conn == f'db opened by pid {pid}')
    print('tasks: 6, workers used:', len({pid for pid, _, _ in rows}))
