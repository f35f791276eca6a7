"""The spawn start method, child side: become a copy of the parent by hand.

A spawned child is a brand-new interpreter, started as::

    python -c 'from teachmp.spawn import main; main(FD)'

FD is the read end of a pipe on which the parent wrote two pickles (each
preceded by its length): the *preparation data* -- everything the child needs
to look like its parent (``sys.path``, working directory, ``sys.argv``, the
main module, authkey, logging, start method) -- and then the ``Process``
object itself.

The subtle part is the main module.  Functions defined in the parent's script
pickle as ``__main__.func``; the child's own ``__main__`` is the ``-c``
string, which has no ``func``.  So ``prepare`` runs the parent's script again
under the name ``__mp_main__`` and installs it as ``__main__`` too.  Because
the name is not ``'__main__'``, the script's ``if __name__ == '__main__':``
block is skipped -- and a script *without* that guard would start processes
again while being imported; ``_check_not_importing_main`` turns that into the
stdlib's RuntimeError instead of an endless cascade of children.

After unpickling, the write end of that pipe is still held by the parent, so
the same FD serves as the child's watch on its parent (``parent_process``).
"""

import os
import runpy
import struct
import sys
import types

from teachmp import log, process, spawning

_python_exe = sys.executable
_LENGTH = struct.Struct('!Q')


def set_executable(exe):
    """Start spawned children with ``exe`` instead of ``sys.executable``."""
    global _python_exe
    _python_exe = os.fsdecode(exe) if exe is not None else sys.executable


def get_executable():
    """The interpreter spawned children run."""
    return _python_exe


def get_command_line(data_fd):
    """The argv of a spawned child: same interpreter, same flags."""
    return command_line('teachmp.spawn', data_fd)


def command_line(module, *fds):
    """The argv of a fresh interpreter that runs ``module.main(*fds)``.

    Spawned children, the fork server and the resource tracker all start
    this way.  The new interpreter must import teachmp before it can read
    anything from us, so tell it where this copy of teachmp lives.
    """
    home = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ('import sys; sys.path.insert(0, %r); from %s import main; main(%s)'
            % (home, module, ', '.join('%d' % fd for fd in fds)))
    return [_python_exe, *_interpreter_flags(), '-c', code]


def _interpreter_flags():
    """Command-line flags that change behaviour and must reach the child."""
    flags = sys.flags
    args = []
    if flags.optimize:
        args.append('-' + 'O' * flags.optimize)
    if flags.dont_write_bytecode:
        args.append('-B')
    if flags.no_user_site:
        args.append('-s')
    if flags.ignore_environment:
        args.append('-E')
    if flags.bytes_warning:
        args.append('-' + 'b' * flags.bytes_warning)
    args += ['-W' + opt for opt in sys.warnoptions]
    for key, value in getattr(sys, '_xoptions', {}).items():
        args += ['-X', key if value is True else '%s=%s' % (key, value)]
    return args


# After the stdlib's words (same exception, same first line), where to read more.
_GUARD_HINT = """
        teachmp: with spawn, each child runs your main module again (as
        __mp_main__), so the code that starts processes must sit under
        the guard. Read "Why the guard is required" in chapter 02 of the
        teachmp tutorial (Start methods and the __main__ guard).
        """


def _check_not_importing_main():
    if getattr(process.current_process(), '_inheriting', False):
        advice = """
        An attempt has been made to start a new process before the
        current process has finished its bootstrapping phase.

        This probably means that you are not using fork to start your
        child processes and you have forgotten to use the proper idiom
        in the main module:

            if __name__ == '__main__':
                freeze_support()
                ...

        The "freeze_support()" line can be omitted if the program
        is not going to be frozen to produce an executable."""
        if sys.version_info >= (3, 11):   # the advice grew a link in 3.11
            advice += """

        To fix this issue, refer to the "Safe importing of main module"
        section in https://docs.python.org/3/library/multiprocessing.html
        """
        raise RuntimeError(advice + _GUARD_HINT)


def freeze_support():
    """The stdlib's hook for frozen executables; a no-op in teachmp.

    A frozen program's children are the program itself, started with
    ``--multiprocessing-fork``; teachmp always starts a child as
    ``python -c ...`` (``get_command_line``), so no child ever arrives here.
    """


def _main(fd, parent_sentinel=None):
    """The stdlib's name for a child's entry: like ``main``, but return the
    exit code (the same ``fd`` already serves as the parent sentinel)."""
    try:
        main(fd)
    except SystemExit as e:
        return e.code


def get_preparation_data(name):
    """Everything a spawned child needs to resemble this process."""
    from teachmp import context
    _check_not_importing_main()
    runner = sys.modules.get('teachmp.runner')   # loaded only when aliasing
    to_stderr, level = log.logging_state()
    data = dict(
        name=name,
        authkey=bytes(process.current_process().authkey),
        sys_path=list(sys.path),
        sys_argv=list(sys.argv),
        dir=os.getcwd(),
        orig_dir=process.ORIGINAL_DIR,
        log_to_stderr=to_stderr,
        log_level=level,
        start_method=context._default_context.get_start_method(),
        alias_stdlib=runner is not None and runner.alias_installed(),
    )
    main_module = sys.modules['__main__']
    spec = getattr(main_module, '__spec__', None)
    main_name = getattr(spec, 'name', None)
    main_path = getattr(main_module, '__file__', None)
    if main_name is not None:
        data['init_main_from_name'] = main_name     # python -m pkg.mod
    elif main_path is not None:                     # python script.py
        if not os.path.isabs(main_path):
            main_path = os.path.join(process.ORIGINAL_DIR, main_path)
        data['init_main_from_path'] = os.path.normpath(main_path)
    # python -c / interactive: nothing to import; only importable code works.
    if spawning.get_spawning_popen() is not None:
        # A child we launch shares this program's resource tracker, started
        # now if need be (as the stdlib does at every spawn launch): the
        # whole program tree then has one tracker, which ends with the last
        # of its processes.  The descriptor travels with the data (DupFd).
        from teachmp import resource_tracker
        data['resource_tracker'] = resource_tracker.fd_for_child()
    trace = sys.modules.get('teachmp.trace')
    if trace is not None and trace.enabled():
        # A spawned child sees TEACHMP_TRACE in its environment, but a fork
        # server started before the recording began does not: say it here.
        data['trace'] = trace.handover()
    return data


def prepare(data):
    """Apply the preparation data in the child, before the Process arrives."""
    from teachmp import context
    if data.get('alias_stdlib'):
        from teachmp import runner
        runner.install_alias()
    me = process.current_process()
    me.name = data['name']
    me.authkey = data['authkey']
    log.restore_logging_state(data['log_to_stderr'], data['log_level'])
    sys.path = data['sys_path']
    sys.argv = data['sys_argv']
    os.chdir(data['dir'])
    process.ORIGINAL_DIR = data['orig_dir']
    context._force_start_method(data['start_method'])
    if data.get('trace') is not None:
        from teachmp import trace
        trace.take_over(data['trace'])
    if data.get('resource_tracker') is not None:
        from teachmp import resource_tracker
        resource_tracker._resource_tracker.inherit(data['resource_tracker'].detach())
    if 'init_main_from_name' in data:
        _fixup_main_from_name(data['init_main_from_name'])
    elif 'init_main_from_path' in data:
        import_main_path(data['init_main_from_path'])


def _fixup_main_from_name(mod_name):
    # "python -m pkg" runs pkg.__main__, which must not run again here.
    if mod_name == '__main__' or mod_name.endswith('.__main__'):
        return
    current = getattr(sys.modules['__main__'], '__spec__', None)
    if getattr(current, 'name', None) == mod_name:
        return                  # already run here (a fork server preloads it)
    module = types.ModuleType('__mp_main__')
    module.__dict__.update(runpy.run_module(mod_name, run_name='__mp_main__',
                                            alter_sys=True))
    _install_main(module)


def import_main_path(main_path):
    """Run the parent's script as ``__mp_main__`` and make it ``__main__``."""
    if os.path.splitext(os.path.basename(main_path))[0] == 'ipython':
        return                  # an IPython session is not a script
    if getattr(sys.modules['__main__'], '__file__', None) == main_path:
        return                  # already run here (a fork server preloads it)
    module = types.ModuleType('__mp_main__')
    module.__dict__.update(runpy.run_path(main_path, run_name='__mp_main__'))
    _install_main(module)


def _install_main(module):
    sys.modules['__main__'] = sys.modules['__mp_main__'] = module


def _read_exact(fd, n):
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            raise EOFError('parent closed the pipe while starting the child')
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


def _read_pickle(fd):
    from teachmp.reduction import ForkingPickler
    size, = _LENGTH.unpack(_read_exact(fd, _LENGTH.size))
    return ForkingPickler.loads(_read_exact(fd, size))


def main(data_fd):
    """Entry point of a spawned child (see the module docstring)."""
    me = process.current_process()
    me._inheriting = True
    try:
        prepare(_read_pickle(data_fd))
        process_obj = _read_pickle(data_fd)
    finally:
        del me._inheriting
    exitcode = process_obj._bootstrap(parent_sentinel=data_fd)
    sys.exit(exitcode)
