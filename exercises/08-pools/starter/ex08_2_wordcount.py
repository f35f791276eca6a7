"""Exercise 08.2: a parallel word count with a Pool, and the serial one to beat.

Uses: Pool.map or Pool.imap_unordered (with a chunksize), collections.Counter.
The words of a text are ``WORD.findall(text.lower())``: runs of letters,
apostrophes allowed inside ("don't"), no digits.  An item to count is either
a ``str`` (the text itself) or a path-like object such as ``pathlib.Path``
(a UTF-8 file to read): test with ``isinstance(item, os.PathLike)``.
"""
import collections
import multiprocessing as mp
import os
import re

WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def count_one(item):
    """The ``collections.Counter`` of the words of one item (a text, or a
    path to read).  This is what the workers run."""
    raise NotImplementedError('exercise 08.2: count_one()')


def count_serial(paths_or_texts):
    """One Counter of all the words of all the items, in this process only."""
    raise NotImplementedError('exercise 08.2: count_serial()')


def count_words(paths_or_texts, processes=2):
    """The same Counter as ``count_serial(paths_or_texts)``, computed by a
    Pool of ``processes`` workers that each count some of the items with
    ``count_one``; add their Counters up in this process.

    Send the items themselves to the workers (a path, not the file's
    content: the worker reads it).  ``paths_or_texts`` may be any iterable.
    Close and join the pool before returning.
    """
    raise NotImplementedError('exercise 08.2: count_words()')
