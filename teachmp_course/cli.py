"""The course commands: ``exercises list|start|check``, ``grade``, ``classroom export``.

``python -m teachmp`` (the library's command line, which owns ``run``)
adds these with ``add_commands``; ``python -m teachmp_course`` runs them
alone.  Each command is a function of the parsed arguments that returns the
exit code; a ``Problem`` becomes one line on stderr and exit code 2.
"""
import argparse
import os
import sys

from teachmp_course import classroom, grading
from teachmp_course.workspace import Problem, command, find_copy, repo_workspace, \
    select_chapters


def cmd_list(args):
    workspace = find_copy() or repo_workspace()
    where = 'your copy' if workspace.is_copy else 'teachmp'
    print(f'Exercises in {where} ({workspace.root})')
    for chapter in select_chapters(workspace, None):
        print(f'\n{chapter.name}')
        for marker, number, path, title in workspace.exercises(chapter):
            file = path.name if path else '?'
            print(f'  {number:<5} {marker:<7} {file:<26} {title}')
    if workspace.is_copy:
        print(f"\nCheck one chapter: {command('exercises', 'check', 'NN')}")
    else:
        print(f"\nStart one chapter: {command('exercises', 'start', 'NN', 'DEST')}, "
              "then cd DEST")
    return 0


def _safe(func):
    def run(args):
        try:
            return func(args)
        except Problem as exc:
            print(f'teachmp: {exc}', file=sys.stderr)
            return 2
        except KeyboardInterrupt:       # Ctrl-C: pytest in the child stopped too
            print('\nteachmp: interrupted (Ctrl-C): no result', file=sys.stderr)
            return 130
        except BrokenPipeError:         # e.g. piped into `head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
    return run


def add_commands(subparsers):
    """Register ``exercises``, ``grade`` and ``classroom`` on an argparse parser."""
    ex = subparsers.add_parser(
        'exercises', help='list, start and check the exercises',
        description="Work on the exercises: list them, copy a chapter's starter "
                    "files to your own folder, and check your answers.")
    actions = ex.add_subparsers(dest='action', metavar='ACTION', required=True)
    p = actions.add_parser('list', help='chapters, exercises and their markers')
    p.set_defaults(func=_safe(cmd_list))
    p = actions.add_parser('start', help="copy a chapter's starter files and tests to DEST")
    p.add_argument('chapter', metavar='NN', help='chapter number, e.g. 03 (or 01,03)')
    p.add_argument('dest', metavar='DEST', help='your working folder')
    p.add_argument('--force', action='store_true', help='overwrite files already in DEST')
    p.set_defaults(func=_safe(classroom.cmd_start))
    p = actions.add_parser('check', help="run a chapter's tests on your code")
    p.add_argument('chapter', metavar='NN', help='chapter number, e.g. 03')
    _common_options(p)
    p.add_argument('-e', '--exercise', metavar='MARKER',
                   help='only one exercise, by marker (e.g. ex03_2)')
    p.add_argument('-k', metavar='EXPR', help='only tests whose name matches (pytest -k)')
    p.add_argument('-x', '--exitfirst', action='store_true', help='stop at the first failure')
    p.add_argument('--full', action='store_true',
                   help="pytest's own full output instead of the short table")
    p.add_argument('-s', action='store_true',
                   help='show what your code prints (pytest -s; implies --full)')
    p.add_argument('--pytest', metavar='ARGS', default='',
                   help='more pytest options in one string, e.g. --pytest="--tb=line" '
                        '(implies --full)')
    p.set_defaults(func=_safe(grading.cmd_check))

    g = subparsers.add_parser(
        'grade', help="grade the exercises: prints 'Score: x/y' (points)",
        description="Run the exercise tests and print per-exercise results and "
                    f"'Score: x/y' in points: {grading.SCORING_RULE}.  Exit 0 once "
                    "graded (1 with --strict if a test did not pass, 2 if grading failed).")
    g.add_argument('which', nargs='?', metavar='NN',
                   help='a chapter (03, or 01,03) or one exercise (03.2); default all')
    _common_options(g)
    g.add_argument('--junit', default='grade-junit.xml',
                   help='where to write the JUnit XML (default grade-junit.xml)')
    g.add_argument('--json', default='grade-summary.json', metavar='FILE',
                   help='where to write the JSON summary for the teacher '
                        '(default grade-summary.json)')
    g.add_argument('--strict', action='store_true',
                   help='exit 1 unless every test passes (for CI autograding)')
    g.add_argument('--details', action='store_true', help='list the tests that did not pass')
    g.add_argument('-v', '--verbose', action='store_true', help="show pytest's own output")
    g.set_defaults(func=_safe(grading.cmd_grade))

    classroom.add_commands(subparsers, _safe)


def _common_options(parser):
    parser.add_argument('--starters', action='store_true',
                        help='outside a copy: test the untouched starters that came '
                             'with teachmp (not your work)')
    parser.add_argument('--solution', action='store_true',
                        help='outside a copy, in the repository: test the reference solutions')
    parser.add_argument('--mp', choices=['stdlib', 'teachmp'], default='stdlib',
                        help="what 'import multiprocessing' gives (default stdlib)")


def main(argv=None):
    """``python -m teachmp_course ARGS``: the course commands alone."""
    parser = argparse.ArgumentParser(
        prog='python -m teachmp_course',
        description='The teachmp course tools: exercises, grading, classroom export.')
    add_commands(parser.add_subparsers(dest='command', metavar='COMMAND'))
    args = parser.parse_args(argv)
    if not getattr(args, 'func', None):
        parser.print_help()
        return 2
    return args.func(args) or 0
