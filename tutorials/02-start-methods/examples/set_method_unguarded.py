# example: stderr-tail
"""set_start_method() at module level, outside the guard (do not copy).

The guard protects p.start() here, but not the set_start_method() call.
A spawned child has already been told its start method before it
re-imports this file, so the import's second call is refused.
"""
import multiprocessing as mp


def work():
    print('working', flush=True)


mp.set_start_method('spawn')          # runs again in the child: RuntimeError

if __name__ == '__main__':
    p = mp.Process(target=work)
    p.start()
    p.join()
    print(f'exit code: {p.exitcode}', flush=True)
