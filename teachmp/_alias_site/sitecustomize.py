"""Start-up hook: ``multiprocessing`` is teachmp in this interpreter too.

``python -m teachmp run`` puts this directory on ``PYTHONPATH`` when the
environment says ``TEACHMP_ALIAS_SUBPROCESS=1`` (see ``teachmp.runner``),
so that interpreters the program starts itself -- ``subprocess.run([sys.
executable, 'script.py'])``, as test suites do -- run on teachmp as well.
Python imports ``sitecustomize`` from ``sys.path`` at start-up, before the
program's first line; this one installs the alias and then runs the
``sitecustomize`` it hides, if there is one further along ``sys.path``.

Why this and not a ``.pth`` file: a ``.pth`` must be installed into
site-packages and then acts in *every* interpreter of that environment; this
acts only where the environment asks for it, and goes away with the
variable.  Interpreters started with ``-I``, ``-E`` or ``-S``, or with an
environment of their own, ignore ``PYTHONPATH`` or never import this file:
they run on the stdlib, as without teachmp.
"""

import importlib.machinery
import importlib.util
import os
import sys


def _install():
    if os.environ.get('TEACHMP_ALIAS_SUBPROCESS') != '1':
        return
    from teachmp import runner
    runner.install_alias()


def _chain():
    """Run the next ``sitecustomize`` on ``sys.path`` (the one this file hides)."""
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or '.') != here]
    spec = importlib.machinery.PathFinder.find_spec('sitecustomize', rest)
    if spec is None or spec.origin == os.path.abspath(__file__):
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules['sitecustomize'] = module
    spec.loader.exec_module(module)


_install()
_chain()
