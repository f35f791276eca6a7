"""Exercise 04.2: a producer/consumer pipeline that stops with poison pills.

Uses the API: multiprocessing.Queue, Process; one pill per consumer;
"get first, then join".
"""
import multiprocessing as mp

STOP = None             # the poison pill: no real item is None


def producer(items, tasks):
    """Put every item of ``items`` on ``tasks``, in order."""
    raise NotImplementedError('exercise 04.2: producer()')


def consumer(func, tasks, results):
    """Get items from ``tasks`` until the pill ``STOP`` arrives.  For each
    item put ``(item, func(item))`` on ``results``; after the pill, put
    ``STOP`` on ``results`` (so that whoever reads knows this consumer is
    done) and return."""
    raise NotImplementedError('exercise 04.2: consumer()')


def run_pipeline(func, batches, consumers=2, timeout=30):
    """Process every item of every batch with ``func``, in parallel.

    * One producer process per batch runs ``producer(batch, tasks)``;
      ``consumers`` consumer processes run ``consumer(func, tasks, results)``.
    * Put one ``STOP`` per consumer on ``tasks``, after every real item.
    * Collect results until every consumer has said ``STOP``; wait at most
      ``timeout`` seconds for each result.  Join every process you started,
      but only when that cannot deadlock.
    * Return the list of ``(item, func(item))`` pairs, in any order.
    """
    raise NotImplementedError('exercise 04.2: run_pipeline()')
