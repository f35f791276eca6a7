"""Where the exercises are, and how chapters and exercises are named.

The exercises are folders ``NN-name/`` holding ``starter/`` (stubs that raise
``NotImplementedError``), ``solution/`` (reference answers), ``tests/``
(pytest, one file and one marker per exercise: ``tests/test_ex03_2.py`` is
marked ``ex03_2``) and a README in English and Japanese, next to a shared
``conftest.py`` and ``pytest.ini``.

They are found in one of three places, in this order (``exercises_root``):

1. the folder named by the environment variable ``TEACHMP_EXERCISES``;
2. ``teachmp_course/exercises/`` inside an installed wheel: the build packs
   the repository's ``exercises/`` there as package data, without
   ``solution/`` (an installed course gives no answers away);
3. ``exercises/`` next to this package: a source checkout.

A student works in a *copy* (``exercises start 03 DEST``): the chapter's
starter files next to its tests, the shared files and a
``.teachmp-exercises.json`` mark.  Commands look for that mark above the
current directory; found, they work on the copy.
"""
import ast
import os
import pathlib
import re
import shlex
import shutil
import sys

MARK = '.teachmp-exercises.json'
SHARED_FILES = ('conftest.py', 'pytest.ini')
PACKAGE = pathlib.Path(__file__).resolve().parent


class Problem(Exception):
    """A user error: printed as one line, exit code 2."""


def exercises_root():
    """The exercises folder that comes with this installation, or None."""
    named = os.environ.get('TEACHMP_EXERCISES')
    if named:
        return pathlib.Path(named).resolve()
    for candidate in (PACKAGE / 'exercises', PACKAGE.parent / 'exercises'):
        if (candidate / 'conftest.py').is_file() and (candidate / 'pytest.ini').is_file():
            return candidate
    return None


class Workspace:
    """The exercises that came with teachmp (``impl`` starter or solution), or a student's copy."""

    def __init__(self, root, is_copy, impl='starter'):
        self.root = pathlib.Path(root)
        self.is_copy = is_copy
        self.impl = impl

    def __repr__(self):
        kind = 'copy' if self.is_copy else self.impl
        return f'<Workspace {kind} {str(self.root)!r}>'

    def chapter_dirs(self):
        return sorted(p for p in self.root.iterdir()
                      if p.is_dir() and re.match(r'\d\d-', p.name) and (p / 'tests').is_dir())

    def module_dir(self, chapter_dir):
        return chapter_dir if self.is_copy else chapter_dir / self.impl

    def exercises(self, chapter_dir):
        """[(marker, number, path of the exercise file or None, title)]"""
        found = []
        for test in sorted((chapter_dir / 'tests').glob('test_ex*.py'),
                           key=lambda p: _exercise_sort_key(p.stem[5:])):
            marker = test.stem[len('test_'):]
            number = marker[2:].replace('_', '.')
            # The title comes from the starter's docstring (repo) or the
            # student's file (copy), which keeps the starter's docstring.
            where = chapter_dir / 'starter' if not self.is_copy else chapter_dir
            files = sorted(where.glob(marker + '_*.py'))
            path = files[0] if files else None
            found.append((marker, number, path, _title(path, number)))
        return found


def _exercise_sort_key(marker):
    return tuple(int(n) for n in re.findall(r'\d+', marker))


def _title(path, number):
    """The docstring's first sentence, without its "Exercise NN.K:" prefix."""
    if path is None:
        return '(exercise file missing)'
    text = path.read_text(encoding='utf-8', errors='replace')
    try:
        doc = ast.get_docstring(ast.parse(text)) or ''
    except SyntaxError:
        match = re.search(r'"""(.*?)(?:"""|\n\s*\n)', text, re.S)
        doc = match.group(1) if match else ''
    # The first paragraph, joined: a title wrapped over two lines stays whole.
    first = ' '.join(doc.strip().split('\n\n')[0].split()) if doc.strip() else ''
    return re.sub(r'^[Ee]xercise\s+[\d.]+:\s*', '', first) or path.stem


def find_copy(start=None):
    """The student's copy holding ``start`` (default: the current folder), or None."""
    here = pathlib.Path(start or os.getcwd()).resolve()
    for folder in [here, *here.parents]:
        if (folder / MARK).is_file():
            return Workspace(folder, is_copy=True)
    return None


def repo_workspace(impl='starter'):
    """The exercises that came with teachmp, wherever the command runs (start, export)."""
    root = exercises_root()
    if root is None:
        raise Problem("cannot find the exercises: no exercises/ folder next to "
                      f"{PACKAGE} and none packed inside it; set TEACHMP_EXERCISES "
                      "to the teachmp repository's exercises/ folder")
    if impl == 'solution' and not any(root.glob('*/solution')):
        raise Problem(f'no solutions in {root}: an installed teachmp ships the starters '
                      'only; the solutions are in the teachmp repository')
    return Workspace(root, is_copy=False, impl=impl)


def select_chapters(workspace, which):
    """Chapter folders named by '03', '3', '03-pipes' or '01,03' (all if None)."""
    chapters = workspace.chapter_dirs()
    if not which:
        return chapters
    chosen = []
    for part in str(which).split(','):
        part = part.strip()
        match = re.fullmatch(r'(\d{1,2})(-.*)?', part)
        number = f'{int(match.group(1)):02d}' if match else None
        hits = [c for c in chapters if number and c.name.startswith(number + '-')]
        if not hits:
            names = ', '.join(c.name for c in chapters) or 'none'
            raise Problem(f'no chapter {part!r} (chapters: {names})')
        chosen += [h for h in hits if h not in chosen]
    return chosen


def marker_of(text):
    """'03.2', '3.2' or 'ex03_2' -> 'ex03_2'; anything else -> None."""
    match = re.fullmatch(r'(?:ex)?(\d{1,2})[._](\d+)', text.strip())
    return f'ex{int(match.group(1)):02d}_{match.group(2)}' if match else None


def find_workspace(solution=False, starters=False, start=None):
    """The student's copy around ``start`` (default: the current folder).

    Outside a copy, only an explicit ``--starters`` (the untouched stubs) or
    ``--solution`` (the reference answers) tests the exercises that came
    with teachmp: checking the starters by accident would grade a student's
    finished work as 0.
    """
    copy = find_copy(start)
    if copy is not None:
        if solution or starters:
            flag = '--solution' if solution else '--starters'
            raise Problem(f'{flag}: you are in your copy {copy.root}, which is what '
                          f'gets checked; {flag} only works outside a copy')
        return copy
    if solution or starters:
        return repo_workspace('solution' if solution else 'starter')
    here = pathlib.Path(start or os.getcwd()).resolve()
    nearby = sorted(p.parent for p in here.glob('*/' + MARK))
    hint = (f'your copy is probably {nearby[0]}: cd {nearby[0]}' if nearby else
            'go to the folder that `exercises start NN DEST` made: cd DEST')
    raise Problem(f'not in a copy of the exercises: {here} is not inside a folder made '
                  f'by `exercises start` (no {MARK} in it or above it).  '
                  f'To check your own work, {hint}, then run this again.  '
                  '(To test the untouched starters that came with teachmp, add --starters.)')


def python_word():
    """How to name this interpreter in a printed command, so that it works as typed.

    ``python`` when that is what the shell finds (an activated environment),
    else this interpreter's path: ``python`` outside the environment would
    say ``No module named teachmp``.
    """
    found = shutil.which('python')
    if found and os.path.abspath(found) == os.path.abspath(sys.executable):
        return 'python'
    return shlex.quote(sys.executable)


def command(*words):
    """A ``python -m teachmp ...`` command line, as the student should type it."""
    return ' '.join([python_word(), '-m', 'teachmp', *words])
