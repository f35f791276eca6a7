"""Exercise 02.2: build a minimal "spawn": a fresh interpreter runs a function.

This is the idea behind teachmp/popen_spawn.py and teachmp/spawn.py: start
``sys.executable``, send it the pickled function and arguments, and get the
pickled result back.
"""
import os
import pickle
import subprocess
import sys


def spawn_call(func, *args, timeout=10):
    """Run ``func(*args)`` in a new Python interpreter and return its result.

    * Pickle ``(func, args)`` in *this* process first: something that cannot
      be pickled raises the error ``pickle.dumps`` raises, and no child is
      started.
    * Start ``sys.executable -c ...`` so that the child can import what the
      parent can (give it the parent's ``sys.path``), runs ``child_main()``
      and reads the pickle from its stdin.
    * The child answers on its stdout with a pickled ``("ok", result)`` or
      ``("error", exception)``; re-raise the exception here.  What ``func``
      prints must not spoil the answer.
    * If the child does not finish within ``timeout`` seconds, kill it and
      raise ``TimeoutError``.  If it dies without answering, raise
      ``ChildProcessError`` (mention its exit code).
    """
    raise NotImplementedError('exercise 02.2: spawn_call()')


def child_main():
    """Run in the child: read ``(func, args)`` from stdin, answer on stdout."""
    raise NotImplementedError('exercise 02.2: child_main()')
