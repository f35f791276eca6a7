"""SharedMemory by name: create, attach, close, and exactly one unlink."""
import multiprocessing as mp
import os
from multiprocessing import shared_memory


def fill(name, count):
    shm = shared_memory.SharedMemory(name=name)     # attach: no create, no size
    for i in range(count):
        shm.buf[i] = i * i % 256
    shm.close()                                     # done here; never unlink


if __name__ == '__main__':
    shm = shared_memory.SharedMemory(create=True, size=16)
    print(shm.size >= 16, bytes(shm.buf[:8]))       # new memory is all zeros

    child = mp.Process(target=fill, args=(shm.name, 8))   # a str travels fine
    child.start()
    child.join()
    print(list(shm.buf[:8]))

    again = shared_memory.SharedMemory(name=shm.name)     # a second attachment
    print(again.buf[7], again.size == shm.size)
    again.close()

    shm.close()
    shm.unlink()                    # the creator removes the name, once, at the end
    print(os.path.exists('/dev/shm/' + shm.name.lstrip('/')))
    try:
        shared_memory.SharedMemory(name=shm.name)
    except FileNotFoundError:
        print('the name is gone')
