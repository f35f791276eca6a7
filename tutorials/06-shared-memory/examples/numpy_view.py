"""A NumPy array over shm.buf when NumPy is there; a memoryview otherwise."""
import importlib.util
import multiprocessing as mp
from multiprocessing import shared_memory

HAVE_NUMPY = importlib.util.find_spec('numpy') is not None
N = 6


def as_doubles(shm):
    """The block seen as N doubles that index and assign like a list."""
    if HAVE_NUMPY:
        import numpy as np
        return np.ndarray((N,), dtype=np.float64, buffer=shm.buf)
    return shm.buf.cast('d')[:N]


def square_in_place(name):
    shm = shared_memory.SharedMemory(name=name)
    values = as_doubles(shm)
    for i in range(N):
        values[i] = values[i] ** 2
    del values                      # drop the view before closing
    shm.close()


if __name__ == '__main__':
    shm = shared_memory.SharedMemory(create=True, size=N * 8)
    values = as_doubles(shm)
    for i in range(N):
        values[i] = i + 0.5

    child = mp.Process(target=square_in_place, args=(shm.name,))
    child.start()
    child.join()

    print([float(v) for v in values])
    print(sum(float(v) for v in values))
    del values
    shm.close()
    shm.unlink()
