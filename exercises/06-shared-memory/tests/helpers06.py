"""Functions the chapter 06 tests run in child processes (importable by name)."""
import os


def write_in_child(obj, value):
    """Exit 0 after ``obj.value = value`` (in a forked child)."""
    obj.value = value
    os._exit(0)


def fill_array(arr, start):
    """Exit 0 after ``arr[i] = start + i`` for every item."""
    for i in range(len(arr)):
        arr[i] = start + i
    os._exit(0)


def move_point(point, dx, dy):
    point.x += dx
    point.y += dy
    os._exit(0)
