"""Copies of the exercises for students: ``exercises start`` and ``classroom export``.

A copy holds, for each chapter, the starter files (which the student edits)
next to the chapter's tests and READMEs, plus the shared ``conftest.py`` and
``pytest.ini`` and a ``.teachmp-exercises.json`` mark that tells the
commands "this is a copy".  Never a solution: only ``starter/`` is read.

``classroom export`` makes a whole assignment repository out of that: it
adds a copy of the ``teachmp`` and ``teachmp_course`` packages (so that
``python -m teachmp grade`` works in the student's repository with nothing
but pytest installed), a
``requirements.txt`` pinning the exact pytest and pytest-timeout versions the
exercises were checked with (those of the project's ``.venv``, else of the
running Python), and a GitHub Classroom autograding workflow with one step per
exercise (points and a timeout each).
"""
import importlib.metadata
import json
import pathlib
import shlex
import shutil

from teachmp_course import grading, readme
from teachmp_course import workspace as ws
from teachmp_course.workspace import Problem, command, repo_workspace, select_chapters

PACKAGE = pathlib.Path(__file__).resolve().parent     # teachmp_course
PINNED = ('pytest', 'pytest-timeout')      # what a student's repository needs
POINTS = grading.POINTS                    # per exercise, all or nothing: one rule
STEP_TIMEOUT = grading.STEP_TIMEOUT        # minutes per exercise step

GITIGNORE = """__pycache__/
*.pyc
.pytest_cache/
grade-junit*.xml
grade-summary*.json
"""

def make_copy(workspace, chapters, dest, force=False, export=False):
    """Copy the chapters' starter files, tests and READMEs into ``dest``."""
    dest = pathlib.Path(dest)
    around = ws.find_copy(dest.resolve().parent) if not export else None
    if around is not None and around.root != dest.resolve():
        # A copy inside a copy: pytest would collect both and trip over the
        # two conftest.py files.  Add chapters to the copy itself instead.
        raise Problem(f'{dest} is inside your copy {around.root}: start somewhere '
                      f'else, or add the chapter to that copy with `exercises start NN '
                      f'{around.root}`')
    dest.mkdir(parents=True, exist_ok=True)
    for chapter in chapters:
        target = dest / chapter.name
        if target.exists() and not force:
            raise Problem(f'{target} already exists (your work?); '
                                  'use --force to overwrite it')
    for chapter in chapters:
        target = dest / chapter.name
        (target / 'tests').mkdir(parents=True, exist_ok=True)
        for statement in sorted(chapter.glob('README*.md')):
            shutil.copy2(statement, target / statement.name)
        for source in sorted((chapter / 'starter').glob('*.py')):
            shutil.copy2(source, target / source.name)
        for source in sorted((chapter / 'tests').glob('*.py')):
            shutil.copy2(source, target / 'tests' / source.name)
    for name in ws.SHARED_FILES:
        shutil.copy2(workspace.root / name, dest / name)
    mark = dest / ws.MARK
    names = {c.name for c in chapters}
    if mark.is_file():
        names |= set(json.loads(mark.read_text(encoding='utf-8')).get('chapters', []))
    mark.write_text(json.dumps({'teachmp_exercises': 1, 'chapters': sorted(names)},
                               indent=2) + '\n', encoding='utf-8')
    readme.write_readmes(workspace, dest, names, POINTS, export=export)
    if force or not (dest / '.gitignore').exists():
        (dest / '.gitignore').write_text(GITIGNORE, encoding='utf-8')
    return dest


def _venv_site_packages():
    """site-packages folders of the project's .venv (next to this package), if any."""
    return [str(p) for p in sorted(PACKAGE.parent.glob('.venv/lib/python*/site-packages'))]


def pinned_requirements():
    """``requirements.txt`` text: ``name==version`` for each of ``PINNED``.

    The versions are those installed in the project's ``.venv`` (what the
    exercise tests are run with), else in the running Python.
    """
    lines = ['# Exact versions the exercises were checked with '
             '(written by python -m teachmp classroom export).']
    for name in PINNED:
        version = None
        for path in (_venv_site_packages(), None):
            if path == []:
                continue
            try:
                if path is None:
                    version = importlib.metadata.version(name)
                else:
                    found = list(importlib.metadata.distributions(name=name, path=path))
                    version = found[0].version if found else None
            except importlib.metadata.PackageNotFoundError:
                version = None
            if version:
                break
        if not version:
            raise Problem(f"{name} is not installed (no .venv, nor in this Python): "
                                  f"cannot pin it; python -m pip install {' '.join(PINNED)}")
        lines.append(f'{name}=={version}')
    return '\n'.join(lines) + '\n'


def workflow(exercises):
    """A GitHub Classroom autograding workflow: one step per exercise.

    Each step is worth ``POINTS`` (all or nothing: every test of the exercise
    passes, or none of the points) and stops after ``STEP_TIMEOUT`` minutes.
    """
    lines = [
        '# GitHub Classroom autograding, written by `python -m teachmp classroom export`.',
        f'# Each exercise is one step worth {POINTS} points, awarded when all its tests pass,',
        f"# stopped after {STEP_TIMEOUT} minutes (timeout).  To change an exercise's points,",
        '# edit its max-score: `python -m teachmp grade` reads them from this file, so the',
        "# local score stays the same as GitHub Classroom's.  Locally: python -m teachmp grade",
        'name: Autograding Tests',
        "'on':",
        '  - push',
        '  - workflow_dispatch',
        '  - repository_dispatch',
        'permissions:',
        '  checks: write',
        '  actions: read',
        '  contents: read',
        'jobs:',
        '  run-autograding-tests:',
        '    runs-on: ubuntu-latest',
        "    if: github.actor != 'github-classroom[bot]'",
        '    steps:',
        '      - name: Checkout code',
        '        uses: actions/checkout@v4',
        '      - name: Set up Python',
        '        uses: actions/setup-python@v5',
        '        with:',
        "          python-version: '3.11'",
        '      - name: Install pytest',
        '        run: python -m pip install -r requirements.txt',
    ]
    ids = []
    for marker, number in exercises:
        step_id = marker.replace('_', '-')
        ids.append(step_id)
        lines += [
            f'      - name: exercise {number}',
            f'        id: {step_id}',
            '        uses: classroom-resources/autograding-command-grader@v1',
            '        with:',
            f'          test-name: exercise {number} ({marker})',
            "          setup-command: ''",
            f'          command: python -m teachmp grade {number} --strict --details '
            f'--junit grade-junit-{marker}.xml --json grade-summary-{marker}.json',
            f'          timeout: {STEP_TIMEOUT}',
            f'          max-score: {POINTS}',
        ]
    lines += [
        '      - name: Autograding Reporter',
        '        uses: classroom-resources/autograding-grading-reporter@v1',
        '        env:',
    ]
    lines += [f'          {i.upper()}_RESULTS: "${{{{steps.{i}.outputs.result}}}}"' for i in ids]
    lines += ['        with:', f"          runners: {','.join(ids)}"]
    return '\n'.join(lines) + '\n'


def vendor_packages(dest):
    """Copy the library and the course tools into ``dest`` (not the packed exercises)."""
    import teachmp
    library = pathlib.Path(teachmp.__file__).resolve().parent
    for source in (library, PACKAGE):
        target = dest / source.name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target, ignore=_vendor_ignore(source))


def _vendor_ignore(source):
    def ignore(folder, names):
        skip = {n for n in names if n == '__pycache__' or n.endswith('.pyc')}
        if source == PACKAGE and pathlib.Path(folder) == PACKAGE and 'exercises' in names:
            skip.add('exercises')       # an installed wheel's packed exercises
        return skip
    return ignore


def export(workspace, chapters, dest, force=False):
    dest = pathlib.Path(dest)
    if dest.exists() and any(dest.iterdir()) and not force:
        raise Problem(f'{dest} is not empty; use --force to write into it')
    make_copy(workspace, chapters, dest, force=True, export=True)
    vendor_packages(dest)
    (dest / 'requirements.txt').write_text(pinned_requirements(), encoding='utf-8')
    exercises = [(marker, number) for chapter in chapters
                 for marker, number, _, _ in workspace.exercises(chapter)]
    flow = dest / '.github' / 'workflows' / 'classroom.yml'
    flow.parent.mkdir(parents=True, exist_ok=True)
    flow.write_text(workflow(exercises), encoding='utf-8')
    leaked = [p for p in dest.rglob('*') if 'solution' in p.relative_to(dest).parts]
    if leaked:       # cannot happen (only starter/ is read), but never ship one
        raise Problem(f'solution files in the export: {leaked}')
    return dest


def cmd_start(args):
    workspace = repo_workspace()
    chapters = select_chapters(workspace, args.chapter)
    dest = pathlib.Path(args.dest)
    make_copy(workspace, chapters, dest, force=args.force)
    where = shlex.quote(str(dest.resolve()))
    print(f"Copied {', '.join(c.name for c in chapters)} to {dest}")
    for chapter in chapters:
        print(f"Read the exercises: {dest / chapter.name / 'README.md'} "
              f"(Japanese: README.ja.md)")
    print(f"Next: cd {where} && {command('exercises', 'check', args.chapter)}")
    return 0


def cmd_export(args):
    workspace = repo_workspace()
    chapters = select_chapters(workspace, args.chapters)
    dest = export(workspace, chapters, args.dest, force=args.force)
    print(f"Exported {', '.join(c.name for c in chapters)} to {dest}")
    print('It holds the starter files, tests, READMEs (en, ja), a copy of teachmp,')
    print('requirements.txt (pytest and pytest-timeout pinned), .github/workflows/classroom.yml')
    print(f'(GitHub Classroom autograding: one step per exercise, {POINTS} points, '
          f'{STEP_TIMEOUT} min) and no solution.')
    print(f"Try it: cd {shlex.quote(str(dest.resolve()))} && {command('grade')}   "
          "(writes grade-junit.xml and grade-summary.json)")
    return 0


def add_commands(subparsers, safe):
    c = subparsers.add_parser(
        'classroom', help='make a student repository for GitHub Classroom',
        description='Teacher tools: export chapters as a ready assignment repository.')
    actions = c.add_subparsers(dest='action', metavar='ACTION', required=True)
    p = actions.add_parser(
        'export', help='starter files, tests, READMEs and an autograding workflow, no solutions')
    p.add_argument('chapters', metavar='NN[,MM]', help='chapters, e.g. 03 or 01,03')
    p.add_argument('dest', metavar='DEST', help='new folder for the student repository')
    p.add_argument('--force', action='store_true', help='write into a non-empty DEST')
    p.set_defaults(func=safe(cmd_export))
