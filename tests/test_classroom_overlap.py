"""The exercises that the library itself answers: decided one by one.

teachmp_course/library_overlap.py says, for every exercise, which piece of
the library solves it (05.3's Barrier is condition.py's).  The decision is
"reading the library is allowed": the module stays in a classroom export
(it must: the library imports its modules from one another) and the
teacher's page says so.  These tests keep the table, the library, the
export and the page in step, so a new exercise cannot slip by undecided.
"""

import ast
import pathlib

from teachmp_course import classroom
from teachmp_course.library_overlap import OVERLAP, counterparts
from teachmp_course.workspace import repo_workspace

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _all_exercises():
    workspace = repo_workspace()
    return {marker: number for chapter in workspace.chapter_dirs()
            for marker, number, _, _ in workspace.exercises(chapter)}


def test_every_exercise_is_decided():
    assert set(OVERLAP) == set(_all_exercises())


def test_each_counterpart_exists_in_the_library():
    assert ('ex05_3', 'teachmp/condition.py', 'Barrier') in counterparts()
    for marker, module, name in counterparts():
        tree = ast.parse((ROOT / module).read_text(encoding='utf-8'))
        defined = {node.name for node in tree.body
                   if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
        assert name in defined, f'{marker}: no {name} in {module}'


def test_the_export_keeps_the_counterparts(tmp_path):
    # "Reading the library is allowed": the modules travel with the export.
    classroom.vendor_packages(tmp_path)
    for marker, module, _ in counterparts():
        assert (tmp_path / module).is_file(), marker
    # ... and the library there is whole (its modules import each other).
    assert (tmp_path / 'teachmp' / '__init__.py').is_file()


def test_the_teachers_page_states_the_decision_for_each():
    numbers = _all_exercises()
    for page in ('docs/teachers.md',):
        text = (ROOT / page).read_text(encoding='utf-8')
        assert 'Reading the library is allowed' in text
        for marker, module, name in counterparts():
            row = next((line for line in text.splitlines()
                        if line.startswith(f'| {numbers[marker]} ')), None)
            assert row is not None, f'{page}: no row for {numbers[marker]}'
            assert f'`{module}`' in row and f'`{name}`' in row, row
