"""Check that a chapter's prose names only what the code it shows contains.

    python tools/prose_names.py          # report; exit status 1 on a problem

A chapter shows library code with ``literalinclude`` of ``/../teachmp/X.py``
and explains it in the paragraphs around the include.  When the code
changes and the prose does not, the prose goes on naming a function, a
constant or a system call that is no longer there (chapter 03 said
``os.readv`` long after the code stopped calling it).  This script finds
those names.

What it reads, for every ``tutorials/NN-*/index.md``:

* the *paragraphs around an include*: the prose paragraph just before and
  just after a run of consecutive ``literalinclude`` blocks that cite
  teachmp modules (headings, lists and other code blocks end the search);
* in each, the code spans (single backticks) that are a name: an
  identifier or a dotted one, optionally followed by ``()``, or a module
  file name such as ``queues.py``;
* the same paragraph in the Japanese catalog
  (``docs/locale/ja/LC_MESSAGES/tutorials/NN-*/index.po``), matched by its
  English text: the translation keeps code spans verbatim, so a stale name
  survives there too.

A name passes if it is in the code of a cited file:

* a plain name (``_recv_exact``, ``SEM_VALUE_MAX``) is an identifier that
  the file defines or uses (any ``Name``, attribute, argument, import,
  ``def``, ``class``);
* a dotted name that starts with a module (``os.read``, ``io.BufferedReader``,
  ``socket.socketpair``) must appear as that attribute chain in the file,
  or as a method call on an object of that module (``sock.sendmsg`` for
  ``socket.sendmsg``): the file must really *use* the call the prose names;
* a dotted name that starts with a teachmp module (``synchronize.RLock``) is
  looked up in that module instead;
* a dotted name that starts with a class or an object
  (``Connection._recv_exact``, ``self._lock``, ``v.value``) passes if its
  last part is an identifier of the file;
* ``X.py`` passes if ``teachmp/X.py`` exists;
* a constant of the OS interface (``SCM_RIGHTS``, ``SIGCHLD``, ``EAGAIN``: an
  upper-case name of ``os``, ``socket``, ``signal``, ``errno``...) passes as a
  known OS name: prose names them for the mechanism they stand for.

Names that are not about the cited code pass too: Python's builtins
(``EOFError``, ``len``), keywords (``None``), the public API of teachmp
(``Value``, ``Pool``: the names of ``teachmp.__all__``), and a few words the
chapters use as plain words in code font (``ALLOWED``).  Anything else is
reported as ``chapter: name not in file``.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import json
import keyword
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Code spans that are words, not names of code: the module-level names of a
# teachmp facade or common English-in-code-font.  Keep this list short; a
# name that belongs to a file should be found in that file.
# Names a chapter uses next to an include that are *not* in the code, with
# the reason.  A stale name must be fixed in the prose, never listed here.
CHAPTER_ALLOWED = {
    '04-queues': {
        'payload_queue_bytes': 'the benchmark series that measures it (make bench)',
    },
    '05-synchronization': {
        'threading.Barrier': 'the model Barrier follows, named for comparison',
    },
    '06-shared-memory': {
        'double': 'the C type, for alignment',
    },
    '09-listeners': {
        'socket.setdefaulttimeout': "the program's own setting that the sockets must ignore",
    },
    '10-logging': {
        'basicConfig': "the reader's own logging set-up",
        'LogRecord': 'the stdlib logging behaviour that log.py works around',
        'sys.modules': 'the stdlib logging behaviour that log.py works around',
        'MainProcess': 'the name a record would show without the filter',
    },
}

ALLOWED = {
    'fork', 'spawn', 'forkserver', 'exec', 'pickle', 'unpickle', 'mmap',
    'teachmp', 'multiprocessing', 'stdin', 'stdout', 'stderr', 'pid',
    'fd', 'fds', 'errno', 'SIGKILL', 'SIGTERM', 'SIGINT', 'EINTR', 'EAGAIN',
    'self', 'cls', 'args', 'kwargs', 'True', 'False', 'None',
}

_INCLUDE = re.compile(r'^```\{literalinclude\}\s+/\.\./(teachmp/[\w/]+\.py)\s*$')
_FENCE = re.compile(r'^(`{3,}|~{3,})')
_SPAN = re.compile(r'(?<![`}\w])`([^`\n]+)`(?!`)')
_NAME = re.compile(r'^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(\(\))?$')
_PYFILE = re.compile(r'^(\w+)\.py$')
_IDENT = re.compile(r'^[A-Za-z_]\w*$')


@dataclass(frozen=True)
class Problem:
    chapter: str
    name: str
    files: tuple
    where: str          # 'index.md:LINE' or 'index.po'

    def __str__(self):
        return '%s (%s): `%s` is not in %s' % (
            self.chapter, self.where, self.name, ' or '.join(self.files))


# -- reading a chapter --------------------------------------------------------


def _blocks(text):
    """Split Markdown into ('prose'|'include'|'other', start_line, payload)."""
    lines = text.split('\n')
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            marker, start, body = fence.group(1), i, []
            i += 1
            while i < len(lines) and not lines[i].startswith(marker):
                body.append(lines[i])
                i += 1
            i += 1
            m = _INCLUDE.match(line)
            blocks.append(('include' if m else 'other', start + 1,
                           m.group(1) if m else None))
            continue
        if not line.strip():
            i += 1
            continue
        start, para = i, []
        while i < len(lines) and lines[i].strip() and not _FENCE.match(lines[i]):
            para.append(lines[i])
            i += 1
        first = para[0].lstrip()
        kind = 'prose'
        if first.startswith(('#', '-', '*', '|', '>', ':', '{', '<', '1.')):
            kind = 'other'      # headings, lists, tables, directives
        blocks.append((kind, start + 1, '\n'.join(para)))
    return blocks


def paragraphs_around_includes(text):
    """Yield (line, paragraph, cited files) for each paragraph next to an include."""
    blocks = _blocks(text)
    found = {}
    i = 0
    while i < len(blocks):
        if blocks[i][0] != 'include':
            i += 1
            continue
        j = i
        files = []
        while j < len(blocks) and blocks[j][0] == 'include':
            files.append(blocks[j][2])
            j += 1
        for k in (i - 1, j):
            if 0 <= k < len(blocks) and blocks[k][0] == 'prose':
                line, para = blocks[k][1], blocks[k][2]
                old = found.get(line, (para, ()))[1]
                found[line] = (para, tuple(dict.fromkeys(old + tuple(files))))
        i = j
    for line in sorted(found):
        para, files = found[line]
        yield line, para, files


def names_in(text):
    """The code spans of ``text`` that are names (``()`` stripped)."""
    out = []
    for span in _SPAN.findall(text):
        span = span.strip()
        if _NAME.match(span) or _PYFILE.match(span):
            out.append(span[:-2] if span.endswith('()') else span)
    return out


def _po_entries(path):
    """{msgid: msgstr} of a .po file (enough of the format for Sphinx's)."""
    entries, key, cur, target = {}, None, [], None
    if not path.exists():
        return entries

    def flush():
        if key is not None:
            entries[''.join(key)] = ''.join(cur)
    for line in path.read_text(encoding='utf-8').split('\n'):
        if line.startswith('msgid '):
            flush()
            key, cur, target = [json.loads(line[6:])], [], 'id'
        elif line.startswith('msgstr '):
            cur, target = [json.loads(line[7:])], 'str'
        elif line.startswith('"') and target == 'id':
            key.append(json.loads(line))
        elif line.startswith('"') and target == 'str':
            cur.append(json.loads(line))
        else:
            target = None if not line.startswith('"') else target
    flush()
    return entries


# -- what a file contains -----------------------------------------------------


class _FileNames:
    def __init__(self, path):
        tree = ast.parse(path.read_text(encoding='utf-8'))
        self.identifiers = set()
        self.chains = set()         # 'os.read', 'io.BufferedReader', ...
        self.imports = set()        # the teachmp modules it imports
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                self.identifiers.add(node.id)
            elif isinstance(node, ast.Attribute):
                self.identifiers.add(node.attr)
                chain = _chain(node)
                if chain:
                    self.chains.add(chain)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef,
                                   ast.ClassDef)):
                self.identifiers.add(node.name)
            elif isinstance(node, ast.arg):
                self.identifiers.add(node.arg)
            elif isinstance(node, ast.keyword) and node.arg:
                self.identifiers.add(node.arg)
            elif isinstance(node, ast.alias):
                self.identifiers.add((node.asname or node.name).split('.')[0])
                self.identifiers.update(node.name.split('.'))
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.chains.add('%s.%s' % (node.module, alias.name))
                    if node.module.startswith('teachmp'):
                        self.imports.add(node.module.partition('.')[2]
                                         or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith('teachmp.'):
                        self.imports.add(alias.name.partition('.')[2])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _IDENT.match(node.value):
                    self.identifiers.add(node.value)    # '__mp_main__'
        self.defined = {node.name for node in ast.walk(tree)
                        if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        self.defined |= {t.id for node in tree.body if isinstance(node, ast.Assign)
                         for t in node.targets if isinstance(t, ast.Name)}


def _chain(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return '.'.join(reversed(parts))
    return None


_cache = {}


def _names_of(relpath):
    if relpath not in _cache:
        _cache[relpath] = _FileNames(ROOT / relpath)
    return _cache[relpath]


def _public_api():
    """The public names of every teachmp module, and their classes' methods.

    The API is the contract with the stdlib: a chapter may name
    ``Connection``, ``Popen`` or ``Queue.put`` anywhere.
    """
    names = set()
    for path in sorted((ROOT / 'teachmp').rglob('*.py')):
        tree = ast.parse(path.read_text(encoding='utf-8'))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) \
                    and not node.name.startswith('_'):
                names.add(node.name)
                if isinstance(node, ast.ClassDef):
                    names.update(n.name for n in node.body
                                 if isinstance(n, ast.FunctionDef)
                                 and not n.name.startswith('_'))
    return names


def _benchmark_names():
    names = set()
    for path in (ROOT / 'benchmarks').glob('cases*.py'):
        names.update(re.findall(r"Case\('(\w+)'", path.read_text(encoding='utf-8')))
    return names


def _example_names(chapter_dir):
    """Names a chapter's own examples define (its prose explains them too)."""
    names = set()
    for path in sorted(Path(chapter_dir, 'examples').glob('*.py')):
        try:
            tree = ast.parse(path.read_text(encoding='utf-8'))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
    return names


class Names:
    """Everything a chapter's prose may name next to an include."""

    def __init__(self, public=(), extra=(), allowed=()):
        self.free = (set(public) | set(extra) | set(allowed) | ALLOWED
                     | _benchmark_names())

    def ok(self, name, files):
        """Does ``name`` belong to one of ``files`` (or to no file at all)?"""
        m = _PYFILE.match(name)
        if m:
            return _module_path(m.group(1)) is not None
        if name in self.free or keyword.iskeyword(name) or hasattr(builtins, name):
            return True
        if _is_os_constant(name):
            return True
        head, _, rest = name.partition('.')
        if head == 'teachmp' and rest:
            head, _, rest = rest.partition('.')
            if not rest:
                return _module_path(head) is not None
        if not rest:
            if any(name in _names_of(f).identifiers for f in files):
                return True
            # a name the cited code gets from a teachmp module it imports
            return any(name in _names_of(m).defined
                       for f in files for m in _imported(f))
        module = _module_path(head)
        if module is not None:
            return self.ok(rest, (module,)) or \
                any(name in _names_of(f).chains for f in files)
        if head in sys.stdlib_module_names:
            # a system call or stdlib function: the cited code must use it,
            # as ``os.read(...)``, or as a method (``sock.sendmsg(...)`` for
            # ``socket.sendmsg``, a method of the module's socket objects)
            if any(name in _names_of(f).chains for f in files):
                return True
            last = name.rsplit('.', 1)[1]
            return (_is_stdlib_method(head, last)
                    and any(last in _names_of(f).identifiers for f in files))
        last = name.rsplit('.', 1)[1]      # obj.attr, Class.method
        return self.ok(last, files) or any(name in _names_of(f).chains for f in files)


_OS_MODULES = ('os', 'socket', 'signal', 'errno', 'select', 'mmap', 'fcntl',
               'termios', 'stat')


def _is_os_constant(name):
    """``SCM_RIGHTS``, ``SIGCHLD``, ``EAGAIN``: a constant of the OS interface."""
    if not name.isupper():
        return False
    for module in _OS_MODULES:
        if hasattr(importlib.import_module(module), name):
            return True
    return name in ('PIPE_BUF',)    # a POSIX limit (os.pathconf, not a constant)


def _is_stdlib_method(module, attr):
    """Is ``attr`` a method of a class of stdlib ``module`` (socket.sendmsg)?"""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return False
    return any(isinstance(obj, type) and hasattr(obj, attr)
               for obj in vars(mod).values())


def _module_path(name):
    """'teachmp/NAME.py' (or the package's __init__) if it exists."""
    for rel in ('teachmp/%s.py' % name, 'teachmp/%s/__init__.py' % name):
        if (ROOT / rel).exists():
            return rel
    return None


def _modules_named(text):
    """teachmp modules a paragraph names itself: ``log.py``, ``util.exit_function``."""
    found = []
    for name in names_in(text):
        head = name[:-3] if name.endswith('.py') else name.split('.')[0]
        if head == 'teachmp' and '.' in name:
            head = name.split('.')[1]
        path = _module_path(head)
        if path and path not in found:
            found.append(path)
    return tuple(found)


def _imported(relpath):
    out = []
    for name in _names_of(relpath).imports:
        path = _module_path(name.split('.')[0])
        if path:
            out.append(path)
    return out


# -- the check ----------------------------------------------------------------


def check_chapter(md_path, po_path=None, public=None, allowed=()):
    """Every problem of one chapter, English and Japanese."""
    if public is None:
        public = _public_api()
    md_path = Path(md_path)
    chapter = md_path.parent.name
    names = Names(public, _example_names(md_path.parent), allowed)
    po = _po_entries(Path(po_path)) if po_path else {}
    problems = []
    for line, para, files in paragraphs_around_includes(
            md_path.read_text(encoding='utf-8')):
        files = files + _modules_named(para)
        for name in names_in(para):
            if not names.ok(name, files):
                problems.append(Problem(chapter, name, files,
                                        '%s:%d' % (md_path.name, line)))
        translated = po.get(' '.join(para.split('\n')))
        if translated:
            for name in names_in(translated):
                if not names.ok(name, files):
                    problems.append(Problem(chapter, name, files,
                                            'index.po, the paragraph at line %d' % line))
    return problems


def check_all(root=ROOT):
    public = _public_api()
    problems = []
    for md in sorted((Path(root) / 'tutorials').glob('*/index.md')):
        po = (Path(root) / 'docs/locale/ja/LC_MESSAGES/tutorials' / md.parent.name
              / 'index.po')
        problems += check_chapter(md, po, public,
                                  CHAPTER_ALLOWED.get(md.parent.name, ()))
    return problems


def main():
    """Print every problem; exit status 1 if there is one."""
    problems = check_all()
    for p in problems:
        print(p)
    print('prose_names: %d problem(s)' % len(problems), file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
