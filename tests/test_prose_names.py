"""tools/prose_names.py: the chapters name only what the code they show contains.

The first test runs the check on the repository (every chapter, English and
Japanese).  The others plant a stale name in a small chapter of their own and
check that it is reported with the chapter, the name and the file, and that
the correct names next to it are not.
"""

import json
import os
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))

import prose_names  # noqa: E402

CHAPTER = textwrap.dedent("""\
    # A planted chapter

    Receiving reads the header first:

    ```{literalinclude} /../teachmp/connection.py
    :pyobject: Connection._recv_exact
    ```

    `_recv_exact` reads with `os.readv` into a `bytearray`, and
    `_no_such_helper()` grows it; `EOFError` means the sender closed,
    `_eof` decides which error, `Connection.send` pickles.

    A paragraph far from any include may name `_anything_at_all`.
    """)


def _write_chapter(tmp_path, text=CHAPTER, po=None):
    chapter = tmp_path / '99-planted'
    chapter.mkdir(parents=True)
    md = chapter / 'index.md'
    md.write_text(text, encoding='utf-8')
    po_path = None
    if po is not None:
        po_path = chapter / 'index.po'
        entries = ['msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n']
        for msgid, msgstr in po.items():
            entries.append('msgid %s\nmsgstr %s\n' % (
                json.dumps(msgid, ensure_ascii=False),
                json.dumps(msgstr, ensure_ascii=False)))
        po_path.write_text('\n'.join(entries), encoding='utf-8')
    return md, po_path


def test_the_chapters_name_only_what_their_code_contains():
    problems = prose_names.check_all()
    assert problems == [], '\n'.join(map(str, problems))


def test_a_stale_system_call_and_a_removed_helper_are_reported(tmp_path):
    md, _ = _write_chapter(tmp_path)
    problems = prose_names.check_chapter(md)
    assert sorted(p.name for p in problems) == ['_no_such_helper', 'os.readv']
    for p in problems:
        assert p.chapter == '99-planted'
        assert p.files == ('teachmp/connection.py',)
        assert p.where == 'index.md:9'
        assert '99-planted' in str(p) and p.name in str(p)
        assert 'teachmp/connection.py' in str(p)


def test_the_fixed_paragraph_passes(tmp_path):
    fixed = CHAPTER.replace('`os.readv`', '`os.read`').replace(
        '`_no_such_helper()`', '`_read_large()`')
    md, _ = _write_chapter(tmp_path, fixed)
    assert prose_names.check_chapter(md) == []


def test_a_stale_name_in_the_japanese_translation_is_reported(tmp_path):
    fixed = CHAPTER.replace('`os.readv`', '`os.read`').replace(
        '`_no_such_helper()`', '`_read_large()`')
    paragraph = fixed.split('\n\n')[3]
    msgid = ' '.join(paragraph.split('\n'))
    msgstr = ('`_recv_exact` は `os.readv` で読みます。`_read_large()`、'
              '`EOFError`、`_eof`、`Connection.send`。')
    md, po = _write_chapter(tmp_path, fixed, {msgid: msgstr})
    problems = prose_names.check_chapter(md, po)
    assert [(p.name, p.where) for p in problems] == [
        ('os.readv', 'index.po, the paragraph at line 9')]


def test_a_module_the_paragraph_names_is_searched_too(tmp_path):
    text = CHAPTER.replace(
        '`_no_such_helper()` grows it',
        '`_write_joined` in `queue_feeder.py` joins frames').replace(
        '`os.readv`', '`os.read`')
    md, _ = _write_chapter(tmp_path, text)
    assert prose_names.check_chapter(md) == []
    # ... but only the module named: the same name without it is stale here
    md2, _ = _write_chapter(tmp_path / 'again',
                            text.replace(' in `queue_feeder.py`', ''))
    assert [p.name for p in prose_names.check_chapter(md2)] == ['_write_joined']
