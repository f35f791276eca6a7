"""Daemon children are terminated when their parent exits, and may not have children."""
import os
import time
import multiprocessing as mp


def forever():
    time.sleep(60)            # never finishes by itself


def try_to_have_a_child():
    try:
        mp.Process(target=forever).start()
    except Exception as e:
        print(f'daemon {mp.current_process().name}: {type(e).__name__}: {e}')


def middle(conn):
    d = mp.Process(target=forever, daemon=True)
    d.start()
    conn.send(d.pid)
    print('middle: started', d.name, 'daemon =', d.daemon, 'and returns')
    # no join(): when middle exits, multiprocessing terminates the daemon


if __name__ == '__main__':
    p = mp.Process(target=try_to_have_a_child, daemon=True)
    p.start()
    p.join()

    receiver, sender = mp.Pipe(duplex=False)
    p = mp.Process(target=middle, args=(sender,))
    p.start()
    p.join(timeout=10)        # returns quickly: middle does not wait for forever()
    print('middle exitcode:', p.exitcode)
    daemon_pid = receiver.recv()
    try:
        os.kill(daemon_pid, 0)  # signal 0: only asks "does this pid exist?"
        print('the daemon is still running')
    except ProcessLookupError:
        print('the daemon is gone')
