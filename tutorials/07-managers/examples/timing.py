# example: skip "prints timings"
"""How long do 10,000 increments take: through a manager, or in shared memory?"""
import multiprocessing as mp
import platform
import time

N = 10_000


def timed(label, fn):
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f'{label:<38} {seconds * 1000:8.1f} ms  {seconds / N * 1e6:7.2f} us/op')


def main():
    print(platform.python_implementation(), platform.python_version(),
          platform.machine(), mp.cpu_count(), 'CPUs')
    with mp.Manager() as manager:
        ns = manager.Namespace(x=0)
        d = manager.dict(x=0)
        mv = manager.Value('i', 0)
        lock = manager.Lock()

        def ns_inc():
            for _ in range(N):
                ns.x += 1               # a get and a set: two round trips

        def dict_inc():
            for _ in range(N):
                d['x'] += 1

        def dict_locked_inc():
            for _ in range(N):
                with lock:              # four round trips
                    d['x'] += 1

        def mvalue_set():
            for i in range(N):
                mv.value = i            # one round trip

        timed('Namespace  ns.x += 1', ns_inc)
        timed("dict proxy d['x'] += 1", dict_inc)
        timed('dict proxy, manager Lock held', dict_locked_inc)
        timed('manager Value  mv.value = i', mvalue_set)

    v = mp.Value('i', 0)
    raw = mp.RawValue('i', 0)
    plain = [0]

    def value_inc():
        for _ in range(N):
            with v.get_lock():
                v.value += 1

    def raw_inc():
        for _ in range(N):
            raw.value += 1

    def plain_inc():
        for _ in range(N):
            plain[0] += 1

    timed('Value with get_lock()  v.value += 1', value_inc)
    timed('RawValue  raw.value += 1', raw_inc)
    timed('plain list  l[0] += 1', plain_inc)


if __name__ == '__main__':
    main()
