"""The ``python -m teachmp`` command line: run programs; the course commands.

``run`` is the library's own command and lives in ``teachmp.runner``.  The
course commands (``exercises``, ``grade``, ``classroom``) belong to the
sibling package ``teachmp_course``; they are forwarded there, imported only
when asked for, so that ``teachmp run`` starts as fast as
``python script.py`` and the library never depends on the course tools.
"""

import argparse
import sys


def _cmd_run(args):
    from teachmp import runner
    runner.run(args.target, args.args, module=args.module, code=args.code)
    return 0


def build_parser(with_grading=True):
    """The command line of ``python -m teachmp`` (``run``, and the course commands)."""
    parser = argparse.ArgumentParser(
        prog='python -m teachmp',
        description='teachmp: multiprocessing rebuilt from OS primitives, '
                    'with a tutorial and exercises.')
    sub = parser.add_subparsers(dest='command', metavar='COMMAND')
    run = sub.add_parser(
        'run', help='run an unmodified multiprocessing program on teachmp',
        description='Run a program that imports multiprocessing, with '
                    'multiprocessing (and its submodules) resolving to teachmp, '
                    'in the program and in every child it starts.  With '
                    'TEACHMP_ALIAS_SUBPROCESS=1 in the environment, also in '
                    'the Python interpreters the program starts itself.')
    run.add_argument('-m', dest='module', action='store_true',
                     help='TARGET is a module name (like python -m)')
    run.add_argument('-c', dest='code', action='store_true',
                     help='TARGET is program text (like python -c)')
    run.add_argument('target', metavar='TARGET',
                     help='what python would run: a script, a .pyc, a directory '
                          'or zip file with __main__.py (a module with -m, '
                          'program text with -c)')
    run.add_argument('args', nargs=argparse.REMAINDER, help='arguments for the program')
    run.set_defaults(func=_cmd_run)
    trace = sub.add_parser(
        'trace', help='record a timeline of a program (trace [-o OUT] script.py | '
                      'trace show OUT)', add_help=False)
    trace.add_argument('rest', nargs=argparse.REMAINDER)
    if with_grading:
        try:
            from teachmp_course import cli
        except ModuleNotFoundError as exc:
            if exc.name != 'teachmp_course':
                raise
            # A copy of the library without the course tools: only "run".
        else:
            cli.add_commands(sub)
    return parser


def main(argv=None):
    """Run one ``python -m teachmp`` command; return its exit status."""
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ['trace']:       # its own options: trace_draw parses them
        from teachmp import trace_draw
        return trace_draw.command(argv[1:])
    # "run" must start fast and must not depend on the exercise tooling.
    parser = build_parser(with_grading=argv[:1] not in (['run'], ['trace']))
    args = parser.parse_args(argv)
    if not getattr(args, 'func', None):
        parser.print_help()
        return 2
    return args.func(args) or 0


if __name__ == '__main__':
    sys.exit(main())
