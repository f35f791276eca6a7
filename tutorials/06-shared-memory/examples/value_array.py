"""A Value and an Array written by a child, read by the parent."""
import multiprocessing as mp


def calibrate(offset, readings):
    offset.value = -273.15              # one double, shared
    for i in range(len(readings)):      # every int of the array, in place
        readings[i] = -readings[i]


if __name__ == '__main__':
    offset = mp.Value('d', 0.0)         # 'd': a C double
    readings = mp.Array('i', [3, 1, 4, 1, 5, 9, 2, 6])   # 'i': a C int

    child = mp.Process(target=calibrate, args=(offset, readings))
    child.start()
    child.join()

    print(offset.value)
    print(readings[:])
    print(len(readings), readings[2], readings[-3:])
