"""Every course command the book, the READMEs and the CLI print works as typed.

The commands are collected from the ``console`` blocks and the inline
``python -m teachmp ...`` spans of the chapters, the exercise READMEs, the
project READMEs, CONTRIBUTING and the docs pages, and from what the
commands themselves print (``Next: cd ... && ...``, the README written into
a copy).  Each block runs as one shell session, line after line, in a fresh
home folder, with the project's environment "activated" (its ``bin`` first
on ``PATH``), as a student who followed the README would type it.

A line passes when it does what it says: ``start``, ``cd``, ``list`` exit
0; ``check``, ``grade`` and ``pytest`` on untouched starters exit 0 or 1
(graded, tests failing), never 2 (a usage error) nor 4/5 (pytest could not
run); no ``unrecognized arguments``, ``No module named``, ``unknown
marker`` or ``not in a copy`` on its stderr.
"""
import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = pathlib.Path(sys.executable).parent
BAD = re.compile(r"unrecognized arguments|No module named|unknown marker|'\w+' not found in "
                 r"`markers`|not in a copy of the exercises|error: argument|invalid choice")
COURSE = re.compile(r'\bteachmp (exercises|grade|classroom)\b|-m pytest\b|^cd\b|&& *cd\b')

SOURCES = sorted([*ROOT.glob('tutorials/*/index.md'), *ROOT.glob('exercises/*/README*.md'),
                  *ROOT.glob('README*.md'), *ROOT.glob('CONTRIBUTING*.md'),
                  *ROOT.glob('docs/*.md')])


def _strip(line):
    """A console line without its prompt and trailing ``# comment``."""
    line = line[2:] if line.startswith('$ ') else line
    return re.sub(r'\s+#\s.*$', '', line).strip()


def _chapter_of(path):
    match = re.match(r'(\d\d)-', path.parent.name)
    return match.group(1) if match else '03'


def sessions():
    """[(id, [shell lines])]: each console block, and each inline command."""
    found = {}
    for path in SOURCES:
        text = path.read_text(encoding='utf-8')
        rel = path.relative_to(ROOT)
        chapter = _chapter_of(path)
        for n, block in enumerate(re.findall(r'```console\n(.*?)```', text, re.S)):
            lines = [_strip(line) for line in block.splitlines() if line.startswith('$ ')]
            lines = [line for line in lines if not line.startswith(('make ', 'source '))]
            if not any(COURSE.search(line) for line in lines):
                continue
            if rel.parts[0] == 'exercises':     # read in a copy: the copy comes first
                lines = [f'python -m teachmp exercises start {chapter} mywork'] + lines
            found.setdefault(tuple(lines), []).append(f'{rel}#block{n}')
        inline = re.findall(r'`((?:python -m teachmp|cd [^`]*&& *python -m teachmp) '
                            r'(?:exercises|grade|classroom)[^`]*)`', text.replace('\n', ' '))
        for command in inline:
            command = re.sub(r'\s+', ' ', command)
            command = (command.replace(' NN[,MM]', f' {chapter}').replace(' NN', f' {chapter}')
                       .replace(' [NN]', '').replace(' DEST', ' mywork'))
            if command.endswith('classroom export'):     # the command's name, in prose
                command += f' {chapter} assignment'
            if ' start ' in command or ' export ' in command:
                lines = [command]
            else:
                lines = [f'python -m teachmp exercises start {chapter} mywork', 'cd mywork',
                         command]
            found.setdefault(tuple(lines), []).append(f'{rel}:inline')
    # The same session from several files runs once (the English and Japanese
    # READMEs show the same commands); its id names the first and the count.
    return [(list(lines), names) for lines, names in sorted(found.items(), key=lambda i: i[1])]


SESSIONS = sessions()


def run_session(lines, home):
    """Run ``lines`` as one bash session in ``home``: [(line, rc, stdout, stderr)]."""
    home.mkdir(exist_ok=True)
    out = home.parent / (home.name + '-out')
    out.mkdir(exist_ok=True)
    script = ['set +e', f'cd {shlex.quote(str(home))}']
    for i, line in enumerate(lines):
        script.append(f'{{ {line} ; }} >{out}/{i}.out 2>{out}/{i}.err </dev/null; '
                      f'echo $? >{out}/{i}.rc')
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV')}
    env.update(HOME=str(home), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               PYTHONDONTWRITEBYTECODE='1', VIRTUAL_ENV=str(BIN.parent))
    subprocess.run(['bash', '-c', '\n'.join(script)], env=env, timeout=900, check=True)
    return [(line, int((out / f'{i}.rc').read_text()), (out / f'{i}.out').read_text(),
             (out / f'{i}.err').read_text()) for i, line in enumerate(lines)]


def check_results(results):
    for line, rc, stdout, stderr in results:
        what = f'{line!r} exited {rc}\n{stdout[-1500:]}\n{stderr[-1500:]}'
        assert not BAD.search(stderr + stdout), what
        if re.search(r'exercises (start|list)\b|^cd\b|classroom export', line) and \
                '&&' not in line:
            assert rc == 0, what
        else:
            assert rc in (0, 1), what


@pytest.mark.timeout(900)
@pytest.mark.parametrize('lines', [
    pytest.param(lines, id=names[0] + (f'+{len(names) - 1}' if names[1:] else ''))
    for lines, names in SESSIONS])
def test_documented_commands_work_as_typed(lines, tmp_path):
    check_results(run_session(lines, tmp_path / 'home'))


def test_the_sources_are_found():
    ids = [name for _, names in SESSIONS for name in names]
    for chapter in ('01-processes', '05-synchronization', '12-beyond'):
        assert any(i.startswith(f'tutorials/{chapter}/index.md#block') for i in ids), ids
        assert any(i.startswith(f'exercises/{chapter}/README.md#block') for i in ids), ids
    assert any(i.startswith('README.md#block') for i in ids)
    # the -s of chapter 05's README, inline in its prose
    assert ['python -m teachmp exercises start 05 mywork', 'cd mywork',
            'python -m teachmp exercises check 05 -e ex05_2 -s'] in [s for s, _ in SESSIONS]


@pytest.mark.timeout(600)
def test_what_the_cli_prints_works_as_typed(tmp_path):
    """The commands that ``start``, ``list``, the refusal and a copy's README print."""
    home = tmp_path / 'home'
    first = run_session(['python -m teachmp exercises start 06 mywork',
                         'python -m teachmp exercises list',
                         'python -m teachmp grade'], home)
    (_, rc, started, _), (_, _, listing, _), (_, refused_rc, _, refused) = first
    assert rc == 0 and refused_rc == 2
    printed = [re.search(r'^Next: (.*)$', started, re.M).group(1)]
    hint = re.search(r'Start one chapter: (.*), then cd DEST', listing).group(1)
    printed += [f'cd {home}', hint.replace('NN', '06').replace('DEST', 'other'), 'cd other']
    printed += [re.search(r'(cd \S+), then run this again', refused).group(1)]
    readme = (home / 'mywork' / 'README.md').read_text(encoding='utf-8')
    printed += [line.strip() for line in readme.splitlines() if line.startswith('    ')]
    assert len(printed) >= 9, printed
    check_results(run_session(printed, tmp_path / 'again'))

    # A teacher's export: "Try it: cd DEST && ... grade".
    export = run_session(['python -m teachmp classroom export 01 assignment'],
                         tmp_path / 'teacher')
    (_, rc, said, err), = export
    assert rc == 0, err
    try_it = re.search(r'^Try it: (.*?)   \(', said, re.M).group(1)
    check_results(run_session([try_it], tmp_path / 'teacher'))
