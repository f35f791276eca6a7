"""ctypes Structures, a plain double and a char array in shared memory."""
import ctypes
import multiprocessing as mp


class Point(ctypes.Structure):
    _fields_ = [('x', ctypes.c_double), ('y', ctypes.c_double)]


def transform(count, scale, name, points):
    count.value += 1                    # only this process writes: no race
    scale.value *= 4
    name.value = name.value.title()
    for p in points:                    # each p is a Point over shared bytes
        p.x, p.y = p.y, p.x * scale.value


if __name__ == '__main__':
    lock = mp.Lock()
    count = mp.Value('h', 41)                          # a C short, with an RLock
    scale = mp.Value(ctypes.c_double, 0.5, lock=False)  # a bare c_double
    name = mp.Array('c', b'shared points', lock=lock)   # bytes, one per item
    points = mp.Array(Point, [(1.0, 2.0), (-3.5, 0.25), (8.0, -1.0)], lock=lock)

    child = mp.Process(target=transform, args=(count, scale, name, points))
    child.start()
    child.join()

    print(count.value, scale.value, name.value)
    print([(p.x, p.y) for p in points])
    print(type(scale).__name__, ctypes.sizeof(Point), len(points))
