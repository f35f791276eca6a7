"""What reserving a SharedMemory block's pages costs: ``python -m benchmarks.shm_reserve``.

``SharedMemory(create=True, size=n)`` calls ``os.posix_fallocate`` so that a
full /dev/shm is an ``OSError`` at creation rather than a SIGBUS at the
first write (``teachmp/shared_memory.py``).  This prints the median time to
create (and close and unlink) a block of 1 MiB, 64 MiB and 1 GiB with and
without the reservation, and the time to create one and then touch every
page, which is where the cost went before.  It needs about 1 GiB free in
/dev/shm.  Not part of ``make bench``: a one-off measurement for the docs.
"""

import mmap
import statistics
import time

from teachmp import shared_memory

_RESERVE = shared_memory._reserve_pages


def _median(size, reserve, runs, touch=False):
    shared_memory._reserve_pages = _RESERVE if reserve else (lambda *args: None)
    times = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            block = shared_memory.SharedMemory(create=True, size=size)
            if touch:
                block.buf[::mmap.PAGESIZE] = b'\1' * len(range(0, size, mmap.PAGESIZE))
            times.append(time.perf_counter() - start)
            block.close()
            block.unlink()
    finally:
        shared_memory._reserve_pages = _RESERVE
    return statistics.median(times) * 1e3


def main():
    for size, runs in ((1 << 20, 50), (64 << 20, 10), (1 << 30, 3)):
        print('%5d MiB  create: %8.3f ms before, %8.3f ms with posix_fallocate'
              % (size >> 20, _median(size, False, runs), _median(size, True, runs)))
    for size, runs in ((64 << 20, 10), (1 << 30, 3)):
        print('%5d MiB  create + touch every page: %6.1f ms before, %6.1f ms with'
              % (size >> 20, _median(size, False, runs, True), _median(size, True, runs, True)))


if __name__ == '__main__':
    main()
