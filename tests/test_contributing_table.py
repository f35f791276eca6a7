"""CONTRIBUTING's module-to-chapter table (both languages) matches the code.

Every module of teachmp/ is in exactly one row; a module that a chapter
shows (``literalinclude`` of ``teachmp/X.py``) is in the row of a chapter
that shows it; the English and Japanese tables say the same.
"""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
NO_CHAPTER = '(none)'


def table(name):
    """{module: chapter} from the table of CONTRIBUTING(.ja).md."""
    text = (ROOT / name).read_text(encoding='utf-8')
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) != 2 or not cells[0].startswith('`') or not cells[0].endswith(('`',)):
            continue
        modules = re.findall(r'`([\w/]+(?:\.py|/))`', cells[0])
        if not modules or not all(m.endswith(('.py', '/')) for m in modules):
            continue
        chapter = re.fullmatch(r'`(tutorials/[\w-]+/|docs/[\w.]+)`', cells[1])
        for module in modules:
            assert module not in rows, f'{name}: {module} is in two rows'
            rows[module] = chapter.group(1).rstrip('/') if chapter else NO_CHAPTER
    return rows


def library_modules():
    found = {p.name for p in (ROOT / 'teachmp').glob('*.py')}
    found |= {p.name + '/' for p in (ROOT / 'teachmp').iterdir()
              if p.is_dir() and (p / '__init__.py').exists()}
    return found


def shown_by():
    """{module: {chapter dirs that literalinclude it}}."""
    shown = {}
    for index in sorted(ROOT.glob('tutorials/*/index.md')):
        for module in re.findall(r'teachmp/(\w+\.py)', index.read_text(encoding='utf-8')):
            shown.setdefault(module, set()).add(f'tutorials/{index.parent.name}')
    return shown


def test_every_module_is_in_the_table():
    rows = table('CONTRIBUTING.md')
    assert set(rows) == library_modules()
    assert rows['forkserver.py'] == 'tutorials/02-start-methods'
    assert rows['compat.py'] == NO_CHAPTER


def test_a_shown_module_is_in_the_row_of_a_chapter_that_shows_it():
    rows = table('CONTRIBUTING.md')
    for module, chapters in shown_by().items():
        assert rows[module] in chapters, (module, rows[module], chapters)


def test_the_rows_exist():
    for chapter in set(table('CONTRIBUTING.md').values()) - {NO_CHAPTER}:
        assert (ROOT / chapter).exists(), chapter


def test_english_and_japanese_tables_agree():
    assert table('CONTRIBUTING.ja.md') == table('CONTRIBUTING.md')
