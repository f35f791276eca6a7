# example: timeout 120
"""The same tasks on a Dask cluster: here two worker processes on this
machine, but the client code would not change for workers on other hosts."""
import multiprocessing

if multiprocessing.__name__ == 'teachmp':     # under `python -m teachmp run`
    # distributed imports CPython's private module
    # multiprocessing.popen_spawn_posix; teachmp calls it popen_spawn.
    import sys
    import teachmp.popen_spawn
    sys.modules.setdefault('multiprocessing.popen_spawn_posix', teachmp.popen_spawn)

try:
    from dask.distributed import Client, LocalCluster
except ModuleNotFoundError:
    raise SystemExit("this example needs Dask: pip install 'teachmp[distributed]'")

from montecarlo import count_hits, estimate, tasks

if __name__ == '__main__':
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    client = Client(cluster)
    try:
        futures = client.map(count_hits, tasks())    # like pool.map_async
        hits = client.gather(futures)                # like .get()
        print('hits per task:', hits)
        print('pi is about', estimate(hits))

        one = client.submit(count_hits, (3, 20_000))  # like apply_async
        print('task 3 again:', one.result(timeout=60))
    finally:
        client.close()
        cluster.close()
