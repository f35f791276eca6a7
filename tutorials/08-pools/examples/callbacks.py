"""callback and error_callback: run in the main process, in the pool's
result-handler thread, as each result arrives."""
import multiprocessing as mp
import threading


def inverse(x):
    return 1 / x


if __name__ == '__main__':
    done, failed = [], []
    where = set()

    def on_result(value):            # called once per successful task
        where.add(threading.current_thread().name)
        done.append(value)

    def on_error(exc):               # called once per failed task
        failed.append(repr(exc))

    with mp.Pool(2) as pool:
        results = [pool.apply_async(inverse, (x,), callback=on_result,
                                    error_callback=on_error)
                   for x in [1, 2, 0, 4]]
        for r in results:
            r.wait(timeout=5)        # the callback has run when wait returns
        print('results:', sorted(done))
        print('errors: ', failed)
        print('main thread ran a callback:', 'MainThread' in where)

        # map_async calls its callback once, with the whole list.
        lists = []
        pool.map_async(inverse, [1, 2, 4], callback=lists.append).wait(timeout=5)
        print('map_async callback got:', lists)
