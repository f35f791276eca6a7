"""Functions the chapter 08 tests send to pool workers (importable by name)."""
import collections
import os
import pathlib
import re
import time


def square(x):
    return x * x


def inverse(x):
    return 1 / x


def sleep_then_echo(seconds):
    """Sleep ``seconds``, then return them (for finishing-order tests)."""
    time.sleep(seconds)
    return seconds


def pid_and_square(x):
    return os.getpid(), x * x


# The tests' own word count, to compare the exercise's with.
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def reference_count(items):
    total = collections.Counter()
    for item in items:
        if isinstance(item, os.PathLike):
            text = pathlib.Path(item).read_text(encoding='utf-8')
        else:
            text = item
        total.update(WORD.findall(text.lower()))
    return total
