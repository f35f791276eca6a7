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

``run`` runs what ``python`` runs -- a script, a ``.pyc``, a directory or a
zip file with a ``__main__.py``, ``-m module``, ``-c code`` -- with the same
``sys.argv``, ``sys.path[0]`` and ``__main__`` as ``python`` gives each, so
that spawned children find the main module the same way.  Interpreters the
program starts itself (``subprocess``) are not our children: they get the
alias only if asked, through ``TEACHMP_ALIAS_SUBPROCESS=1`` and a start-up
hook (``_alias_site/sitecustomize.py`` says how and why).
"""

import builtins
import importlib
import importlib.machinery
import importlib.util
import io
import linecache
import marshal
import os
import runpy
import sys
import types
import zipfile

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
    """True if ``import multiprocessing`` means teachmp in this process."""
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


def run(target, args, module=False, code=False):
    """Run ``target`` as ``__main__``, the way ``python`` would run it.

    ``target`` is a path (a script, a ``.pyc``, a directory or zip file with
    a ``__main__.py``), a module name (``module=True``, like ``python -m``)
    or program text (``code=True``, like ``python -c``).  An exception that
    ends the program is printed as ``python`` prints it: the frames of
    teachmp that started the program are not the program's business.
    """
    install_alias()
    if os.environ.get(SUBPROCESS_VARIABLE) == '1':
        _alias_for_subprocesses()
    try:
        if code:
            _run_code(target, args)
        elif module:
            _run_module(target, args)
        else:
            _run_path(target, args)
    except SystemExit:
        raise
    except BaseException as exc:
        tb = _user_frames(exc.__traceback__)
        # on the exception too: the default hook prints exc.__traceback__
        sys.excepthook(type(exc), exc.with_traceback(tb), tb)
        # python's status for an uncaught exception; for Ctrl-C python kills
        # itself with SIGINT, which a shell also reports as 130
        raise SystemExit(130 if isinstance(exc, KeyboardInterrupt) else 1) from None


def _user_frames(tb):
    """``tb`` without its leading frames from this file.

    What is left is what ``python`` itself would show: for ``-m`` and a
    directory or zip file that includes the frames of runpy, which python
    uses for those too (and so do we, below this file's frames).
    """
    here = os.path.abspath(__file__)
    while tb is not None and tb.tb_frame.f_code.co_filename == here:
        tb = tb.tb_next
    return tb


def _fresh_main(path=None, loader=None):
    main = types.ModuleType('__main__')
    if path is not None:
        main.__file__ = path
        main.__cached__ = None
    main.__loader__ = loader
    main.__builtins__ = builtins
    sys.modules['__main__'] = sys.modules['__mp_main__'] = main
    return main


def _run_code(text, args):
    # python -c: argv[0] is '-c', the current directory ('') first on
    # sys.path, a __main__ with no file.
    sys.argv = ['-c'] + list(args)
    sys.path[0] = ''
    main = _fresh_main(loader=importlib.machinery.BuiltinImporter)
    code = compile(text, '<string>', 'exec', dont_inherit=True)
    if sys.version_info >= (3, 13):
        # From 3.13 python keeps the -c text for tracebacks, which then show
        # its lines; an entry with no mtime is never checked against a file.
        linecache.cache['<string>'] = (len(text), None, text.splitlines(True), '<string>')
    exec(code, main.__dict__)


def _run_module(name, args):
    # python -m: what the interpreter itself calls (argv[0] becomes the
    # module's file, __spec__ is set, and a missing module is one line on
    # stderr, not a traceback).
    sys.argv = [name] + list(args)
    runpy._run_module_as_main(name, alter_argv=True)


def _run_path(target, args):
    sys.argv = [target] + list(args)
    path = os.path.abspath(target)
    if os.path.isdir(path) or (os.path.isfile(path) and zipfile.is_zipfile(path)):
        # python DIR or python APP.zip: that path alone is sys.path[0] and
        # its __main__ module runs (found by the import system).
        sys.path[0] = path
        runpy._run_module_as_main('__main__', alter_argv=False)
        return
    try:
        with io.open_code(path) as f:
            data = f.read()
    except OSError as e:
        # python's words, and python's status for it (2)
        sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n"
                         % (sys.executable, path, e.errno, e.strerror))
        raise SystemExit(2)
    # Do what "python script.py" does: the script's directory first on
    # sys.path, a fresh __main__ module with an absolute __file__, argv[0]
    # as typed.  (runpy.run_path would rewrite argv[0] to the full path.)
    sys.path[0] = os.path.dirname(path)
    if path.endswith('.pyc') and data[:4] != importlib.util.MAGIC_NUMBER:
        raise RuntimeError('Bad magic number in .pyc file')
    if data[:4] == importlib.util.MAGIC_NUMBER:     # a compiled .pyc
        main = _fresh_main(path, importlib.machinery.SourcelessFileLoader('__main__', path))
        code = marshal.loads(memoryview(data)[16:])     # after the 16-byte header
    else:
        main = _fresh_main(path, importlib.machinery.SourceFileLoader('__main__', path))
        code = compile(data, path, 'exec', dont_inherit=True)
    exec(code, main.__dict__)


# -- carrying the alias into interpreters the program starts ------------------

SUBPROCESS_VARIABLE = 'TEACHMP_ALIAS_SUBPROCESS'
_SITE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '_alias_site')


def _alias_for_subprocesses():
    """Put the alias site directory and teachmp's home on ``PYTHONPATH``.

    Every interpreter started with this environment (and the variable
    still set) then runs ``_alias_site/sitecustomize.py`` at start-up,
    which installs the alias before the program's first line.
    """
    home = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]
    wanted = [p for p in (_SITE_DIR, home) if p not in paths]
    os.environ['PYTHONPATH'] = os.pathsep.join(wanted + paths)
