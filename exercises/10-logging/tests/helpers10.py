"""Helpers for the chapter 10 tests: code that runs in a child process."""
import importlib
import io
import logging


def log_in_child(module_name, conn, message):
    """Import the exercise module, log ``message`` through its handler on a
    fresh logger, and send back what the handler wrote."""
    ex = importlib.import_module(module_name)
    buf = io.StringIO()
    logger = logging.getLogger('ex10_2.child')
    logger.propagate = False
    logger.handlers[:] = [ex.make_handler(buf)]
    logger.setLevel(logging.INFO)
    logger.info(message)
    conn.send(buf.getvalue())
    conn.close()


def start_grandchild(module_name, conn, message):
    """Start a child of this child that logs; wait for it."""
    import multiprocessing as mp
    p = mp.Process(target=log_in_child, args=(module_name, conn, message),
                   name='Grandchild')
    p.start()
    p.join(30)
