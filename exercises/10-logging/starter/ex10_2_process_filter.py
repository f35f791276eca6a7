"""Exercise 10.2: a filter that says which process (and whose child) wrote
each line.

``logging`` fills in ``%(processName)s`` by asking whatever module is called
``multiprocessing`` in ``sys.modules``.  teachmp cannot rely on that, so its
logger carries a filter that stamps the name itself (``teachmp/log.py``).
Here you write such a filter, and add a field that ``logging`` does not
have at all: the name of the parent process.
"""
import logging
import multiprocessing as mp

# The format of the handler made by make_handler(), e.g.
# "Process-1 (child of MainProcess) INFO: hello".
FORMAT = '%(processName)s (child of %(parentName)s) %(levelname)s: %(message)s'


def stamp_process_info(record):
    """A logging filter (a callable that takes a record).

    Set ``record.processName`` to ``multiprocessing.current_process().name``
    -- whatever the record said before -- and ``record.parentName`` to the
    name of ``multiprocessing.parent_process()``, or ``'-'`` when there is
    no parent (in the main process).  Return True: keep every record.
    """
    raise NotImplementedError('exercise 10.2: stamp_process_info()')


def make_handler(stream):
    """Return a ``logging.StreamHandler`` writing to ``stream``, with a
    ``logging.Formatter(FORMAT)`` and ``stamp_process_info`` as its filter.
    """
    raise NotImplementedError('exercise 10.2: make_handler()')

