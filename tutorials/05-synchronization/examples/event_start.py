"""Workers get ready, then wait for one Event to start together."""
# example: unordered
import multiprocessing as mp


def runner(name, start, printing):
    started = start.wait(timeout=10)    # True once the event is set
    with printing:                      # one whole line at a time
        print(name, 'started' if started else 'gave up waiting')


if __name__ == '__main__':
    start = mp.Event()
    printing = mp.Lock()
    print('set?', start.is_set(), '| wait(0.1) ->', start.wait(0.1))
    runners = [mp.Process(target=runner, args=('runner-%d' % i, start, printing))
               for i in range(3)]
    for r in runners:
        r.start()
    start.set()                         # one call wakes every waiter
    for r in runners:
        r.join()
    print('set?', start.is_set())
