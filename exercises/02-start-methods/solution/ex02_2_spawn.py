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
    payload = pickle.dumps((func, args))
    code = (f'import sys; sys.path[:] = {sys.path!r}; '
            f'from {__name__} import child_main; child_main()')
    child = subprocess.Popen([sys.executable, '-c', code],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        answer, _ = child.communicate(payload, timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise TimeoutError(f'{func!r} did not finish in {timeout} s') from None
    if not answer:
        raise ChildProcessError(f'child died without answering, exit code {child.returncode}')
    status, value = pickle.loads(answer)
    if status == 'error':
        raise value
    return value


def child_main():
    """Run in the child: read ``(func, args)`` from stdin, answer on stdout."""
    answer_to = os.fdopen(os.dup(1), 'wb')
    os.dup2(2, 1)                   # what func prints goes to stderr
    try:
        func, args = pickle.load(sys.stdin.buffer)
        reply = ('ok', func(*args))
    except Exception as exc:
        reply = ('error', exc)
    try:
        data = pickle.dumps(reply)
    except Exception as exc:        # e.g. an unpicklable result
        data = pickle.dumps(('error', TypeError(f'cannot send the result back: {exc}')))
    answer_to.write(data)
    answer_to.close()
