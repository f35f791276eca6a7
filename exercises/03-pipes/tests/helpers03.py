"""Functions the chapter 03 tests hand to worker processes (importable by name)."""
import os
import time


def pid_of(item):
    return os.getpid()


def square(x):
    return x * x


def fail_on_odd(x):
    if x % 2:
        raise ValueError(f'odd: {x}')
    return x


def die_on_three(x):
    if x == 3:
        os._exit(1)
    return x


def hang(x):
    time.sleep(60)
