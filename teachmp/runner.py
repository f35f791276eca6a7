"""``python -m teachmp run script.py``: an unmodified program, on teachmp.

The program says ``import multiprocessing``.  Python looks a module up in
``sys.modules`` before searching for it, so putting ``teachmp`` there under
the name ``multiprocessing`` is enough for the top-level import.  Submodules
(``import multiprocessing.connection``) are found through ``sys.meta_path``:
a small finder answers for every ``multiprocessing.X`` by loading
``teachmp.X`` -- the same module object under both names, so that
``multiprocessing.connection.Connection is teachmp.connection.Connection``.
A submodule teachmp does not have yet fails with the usual
``ModuleNotFoundError`` naming it, rather than silently falling back to the
stdlib and mixing the two implementations.

Fork children inherit ``sys.modules`` with the alias in place; a spawned
child learns about it from the preparation data (``alias_stdlib``) and
installs it before it imports the script.
"""

import importlib
import importlib.machinery
import importlib.util
import io
import os
import runpy
import sys
import types

_PREFIX = 'multiprocessing.'


# Plain classes rather than importlib.abc subclasses: the import system only
# needs these methods, and importlib.abc drags a dozen modules into every
# spawned child's start-up.
class _AliasLoader:
    def __init__(self, real_name):
        self.real_name = real_name

    def create_module(self, spec):
        return importlib.import_module(self.real_name)

    def exec_module(self, module):
        pass        # already executed under its real name


class _AliasFinder:
    """Resolve ``multiprocessing.X`` to ``teachmp.X``."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(_PREFIX):
            return None
        real_name = 'teachmp.' + fullname[len(_PREFIX):]
        try:
            real_spec = importlib.util.find_spec(real_name)
        except ModuleNotFoundError:
            real_spec = None
        if real_spec is None:
            raise ModuleNotFoundError(
                'No module named %r (teachmp has no %r yet)' % (fullname, real_name),
                name=fullname)
        return importlib.util.spec_from_loader(
            fullname, _AliasLoader(real_name),
            is_package=real_spec.submodule_search_locations is not None)


def alias_installed():
    """Whether ``import multiprocessing`` currently gives teachmp."""
    return any(isinstance(f, _AliasFinder) for f in sys.meta_path)


def install_alias():
    """Make ``import multiprocessing[.X]`` give teachmp from now on."""
    import teachmp
    if alias_installed():
        return
    for name in [n for n in sys.modules if n == 'multiprocessing'
                 or n.startswith(_PREFIX)]:
        del sys.modules[name]       # a stdlib copy imported earlier: forget it
    sys.modules['multiprocessing'] = teachmp
    for name, module in list(sys.modules.items()):
        if name.startswith('teachmp.'):
            sys.modules[_PREFIX + name[len('teachmp.'):]] = module
    sys.meta_path.insert(0, _AliasFinder())


def run(target, args, module=False):
    """Run a script (or, with ``module=True``, a module) as ``__main__``."""
    install_alias()
    sys.argv = [target] + list(args)
    if module:
        with _tracebacks_from_the_program():
            runpy.run_module(target, run_name='__main__', alter_sys=True)
        return
    path = os.path.abspath(target)
    try:
        with io.open_code(path) as f:
            source = f.read()
    except OSError as e:
        raise SystemExit("teachmp run: can't open file %r: %s" % (target, e.strerror))
    # Do what "python script.py" does: the script's directory first on
    # sys.path, a fresh __main__ module with an absolute __file__, argv[0]
    # as typed.  (runpy.run_path would rewrite argv[0] to the full path.)
    sys.path[0] = os.path.dirname(path)
    main = types.ModuleType('__main__')
    main.__file__ = path
    main.__cached__ = None
    main.__loader__ = importlib.machinery.SourceFileLoader('__main__', path)
    sys.modules['__main__'] = sys.modules['__mp_main__'] = main
    with _tracebacks_from_the_program():
        exec(compile(source, path, 'exec', dont_inherit=True), main.__dict__)


# Frames of the machinery between "python -m teachmp run" and the program.
_MACHINERY = (os.path.abspath(__file__), os.path.abspath(runpy.__file__), '<frozen runpy>')


class _tracebacks_from_the_program:
    """Show an uncaught exception the way ``python prog.py`` shows it.

    Without this the traceback would open with the frames of runpy, of
    ``teachmp/__main__.py`` and of this module, before the first line a
    student wrote.  The exception is printed here, through
    ``sys.excepthook``, from the first frame that is not ours; the process
    then ends as Python's own top level ends it (status 1; a KeyboardInterrupt
    ends it by SIGINT, like the interpreter does).  SystemExit passes
    through untouched.
    """

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is None or issubclass(kind, SystemExit):
            return False
        while tb is not None and tb.tb_frame.f_code.co_filename in _MACHINERY:
            tb = tb.tb_next
        sys.excepthook(kind, exc.with_traceback(tb), tb)
        if issubclass(kind, KeyboardInterrupt):
            _exit_by_sigint()
        raise SystemExit(1)


def _exit_by_sigint():
    import signal
    sys.stdout.flush()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
    raise SystemExit(130)  # only if SIGINT did not end the process
