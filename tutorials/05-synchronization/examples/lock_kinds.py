"""Lock and RLock: who may take them again, and who may release them."""
import multiprocessing as mp


def release_from_child(lock):
    # A child that never acquired the lock releases it.
    try:
        lock.release()
        print('child: released a lock it did not acquire')
    except AssertionError as exc:
        print('child: AssertionError:', exc)


if __name__ == '__main__':
    lock = mp.Lock()
    print(lock.acquire(), lock.acquire(timeout=0.1))   # a Lock is not recursive
    print(lock)

    # A plain Lock has no owner check: another process may release it.
    child = mp.Process(target=release_from_child, args=(lock,))
    child.start()
    child.join()
    print('free again:', lock.acquire(timeout=0.1))
    lock.release()
    try:
        lock.release()                                  # one release too many
    except ValueError as exc:
        print('ValueError:', exc)

    rlock = mp.RLock()
    rlock.acquire()
    rlock.acquire()                                     # the owner may nest
    print(rlock)
    child = mp.Process(target=release_from_child, args=(rlock,))
    child.start()
    child.join()
    rlock.release()
    rlock.release()
    print(rlock)
