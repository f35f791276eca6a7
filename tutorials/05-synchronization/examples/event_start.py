"""Workers get ready, then wait for one Event to start together."""
# example: unordered
import multiprocessing as mp


def runner(name, start):
    if start.wait(timeout=10):          # True once the event is set
        print(name, 'started')
    else:
        print(name, 'gave up waiting')


if __name__ == '__main__':
    start = mp.Event()
    print('set?', start.is_set(), '| wait(0.1) ->', start.wait(0.1))
    runners = [mp.Process(target=runner, args=('runner-%d' % i, start))
               for i in range(3)]
    for r in runners:
        r.start()
    start.set()                         # one call wakes every waiter
    for r in runners:
        r.join()
    print('set?', start.is_set())
