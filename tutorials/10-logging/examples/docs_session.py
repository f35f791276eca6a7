"""The logging session of the multiprocessing documentation, as a program.

The library's log goes to stderr; the first lines send stderr to the same
place as stdout so that you (and the test) see one stream in order.
"""
# example: unordered
# example: erase (?<=temp directory ).*
# example: erase (?<=manager serving at ).*
# example: erase ^.*(Failure to send message| \.\.\. request was| \.\.\. exception was).*\n
import logging
import multiprocessing as mp
import os
import sys

if __name__ == '__main__':
    sys.stdout.flush()
    os.dup2(sys.stdout.fileno(), sys.stderr.fileno())

    logger = mp.log_to_stderr()
    logger.setLevel(logging.INFO)
    logger.warning('doomed')

    manager = mp.Manager()       # starts the manager's server process
    del manager                  # shuts it down
