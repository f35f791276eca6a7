"""The multiprocessing logger: quiet until asked, then one line per event.

The stdlib keeps a private logger that says nothing unless a program calls
``get_logger()`` or ``log_to_stderr()``; teachmp does the same with a logger
named ``teachmp``. The library reports its lifecycle through the small
``info``/``debug``/``sub_debug``/``sub_warning`` helpers below, which cost one
``if`` when nobody listens -- that matters because ``info`` is called on
every process start and exit.

Two details make the output match the stdlib's:

* the levels ``SUBDEBUG`` (5) and ``SUBWARNING`` (25) sit between the standard
  ones; like the stdlib we do not register names for them, so they print as
  ``Level 5`` and ``Level 25``;
* ``%(processName)s`` must be the teachmp process name (``Process-1``).  The
  ``logging`` module only knows how to ask the stdlib's ``multiprocessing``
  for it, so a filter on our logger fills the field in itself.

A spawned child starts with a fresh interpreter; whether the parent was
logging to stderr, and at which level, travels in the preparation data (see
``spawn.get_preparation_data``) so the child keeps logging the same way.
"""

import sys

SUBDEBUG = 5
SUBWARNING = 25
LOGGER_NAME = 'teachmp'
DEFAULT_LOGGING_FORMAT = '[%(levelname)s/%(processName)s] %(message)s'

_logger = None          # created on first get_logger()
_log_to_stderr = False  # whether log_to_stderr() was called in this process


def _process_name_filter(record):
    """Stamp each record with teachmp's idea of the current process name."""
    from teachmp.process import current_process
    record.processName = current_process().name
    return True


def get_logger():
    """Return the logger used by teachmp, creating it on first use.

    Like the stdlib's, it does not propagate to the root logger (so a program's
    own ``logging.basicConfig`` does not suddenly print library internals) and
    its level is left unset (``NOTSET``) until someone chooses one.
    """
    global _logger
    import logging
    if _logger is None:
        logger = logging.getLogger(LOGGER_NAME)
        logger.propagate = False
        logger.addFilter(_process_name_filter)
        _logger = logger
    return _logger


def log_to_stderr(level=None):
    """Send teachmp's log records to stderr in the stdlib's format."""
    global _log_to_stderr
    import logging
    logger = get_logger()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(DEFAULT_LOGGING_FORMAT))
    logger.addHandler(handler)
    if level:
        logger.setLevel(level)
    _log_to_stderr = True
    return logger


def sub_debug(msg, *args):
    """Log at level SUBDEBUG (5), if logging is on."""
    if _logger:
        _logger.log(SUBDEBUG, msg, *args, stacklevel=2)


def debug(msg, *args):
    """Log at level DEBUG, if logging is on (one ``if`` otherwise)."""
    if _logger:
        _logger.log(10, msg, *args, stacklevel=2)


def info(msg, *args):
    """Log at level INFO, if logging is on (one ``if`` otherwise)."""
    if _logger:
        _logger.log(20, msg, *args, stacklevel=2)


def warn(msg, *args):
    """Log at WARNING (30); Python 3.14 added it to multiprocessing.util."""
    if _logger:
        _logger.log(30, msg, *args, stacklevel=2)


def sub_warning(msg, *args):
    """Log at level SUBWARNING (25), if logging is on."""
    if _logger:
        _logger.log(SUBWARNING, msg, *args, stacklevel=2)


def logging_state():
    """What a spawned child needs to log like its parent: (to_stderr, level)."""
    level = _logger.getEffectiveLevel() if _logger is not None else None
    return _log_to_stderr, level


def restore_logging_state(to_stderr, level):
    """In a spawned child: set up logging as ``logging_state()`` found it in the parent."""
    if to_stderr:
        log_to_stderr()
    if level is not None:
        get_logger().setLevel(level)


def flush_std_streams():
    """Flush stdout/stderr so that buffered text is written exactly once.

    Called before fork (otherwise the child inherits, and later prints, a copy
    of the parent's unflushed buffer) and before a child exits with
    ``os._exit`` (which skips the interpreter's own flushing).
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (AttributeError, ValueError, OSError):
            pass
