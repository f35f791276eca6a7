"""tools/ja_check.py: the repository passes, and every kind of drift fails.

Each test plants one violation in a small .po or .md file and checks that
the script reports it with the right file, line and kind, and that the
corrected text passes.  The first test runs the check on the repository
itself, as ``make docs`` does.
"""

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))

import build_docs  # noqa: E402
import ja_check  # noqa: E402

HEADER = textwrap.dedent("""\
    # a test catalog
    msgid ""
    msgstr ""
    "Content-Type: text/plain; charset=utf-8\\n"

    """)


def po(tmp_path, body, header=HEADER):
    path = tmp_path / 'page.po'
    path.write_text(header + textwrap.dedent(body), encoding='utf-8')
    return str(path)


def entry(msgid, msgstr):
    return f'#: ../../x.md:1\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n\n'


def kinds(path):
    return [(p.line, p.kind) for p in ja_check.check([path])]


def test_repository_passes():
    problems = ja_check.check()
    assert problems == [], '\n'.join(map(str, problems[:30]))


def test_command_line_exit_status(tmp_path):
    bad = po(tmp_path, entry('The default.', '既定です。'))
    run = [sys.executable, os.path.join(ROOT, 'tools', 'ja_check.py')]
    failed = subprocess.run(run + [bad], capture_output=True, text=True, timeout=60)
    assert failed.returncode == 1
    assert "page.po:8: variant: '既定'" in failed.stdout
    good = po(tmp_path, entry('The default.', 'デフォルトです。'))
    passed = subprocess.run(run + [good], capture_output=True, text=True, timeout=60)
    assert passed.returncode == 0, passed.stdout


@pytest.mark.parametrize('bad, good', [
    ('ファイルディスクリプタを閉じます。', 'ファイル記述子を閉じます。'),
    ('ファイルディスクリプターを閉じます。', 'ファイル記述子を閉じます。'),
    ('バッファに入ります。', 'バッファーに入ります。'),
    ('新しいインタープリタです。', '新しいインタープリターです。'),
    ('第 05 章で見ます。', '第 5 章で見ます。'),
    ('第5章で見ます。', '第 5 章で見ます。'),
    ('子プロセスを kill します。', '子プロセスを強制終了します。'),
    ('モジュールを再 import します。', 'モジュールを再インポートします。'),
    ('値はアンピクル化されます。', '値はアンピクルされます。'),
    ('1つのキューです。', '1 つのキューです。'),
    ('最初の6 つです。', '最初の 6 つです。'),
    ('アトミックではありません。', '不可分（アトミック）ではありません。'),
])
def test_variants(tmp_path, bad, good):
    assert (8, 'variant') in kinds(po(tmp_path, entry('x', bad)))
    assert kinds(po(tmp_path, entry('x', good))) == []


def test_variant_in_code_or_quoted_is_not_a_use(tmp_path):
    text = '`kill()` と `import os` はコードです。公式の訳語は「開始方式」です。'
    assert kinds(po(tmp_path, entry('`kill()` and `import os`', text))) == []


def test_padded_emphasis(tmp_path):
    path = po(tmp_path, entry('It *tells* you.', 'それを *伝えます* 。'))
    assert kinds(path) == [(8, 'padded'), (8, 'padded')]
    assert kinds(po(tmp_path, entry('It *tells* you.', 'それを*伝えます*。'))) == []


def test_space_that_commonmark_needs_is_kept(tmp_path):
    # Bold ending in 「。」 must be followed by a space to render: not padding.
    text = '**`join()` を忘れる。** 終わった子プロセスが残ります。'
    assert kinds(po(tmp_path, entry('**Forgetting `join()`.** Done.', text))) == []
    # A Latin word next to Japanese keeps the book's ordinary spacing.
    assert kinds(po(tmp_path, entry('the *spawn* method', '*spawn* 起動方式'))) == []


def test_emphasis_that_cannot_render(tmp_path):
    path = po(tmp_path, entry('This is **\\"key\\"**.', 'これは**「重要」**です。'))
    assert (8, 'unrendered') in kinds(path)


def test_markup_differs_from_english(tmp_path):
    # One emphasis in the English, none left in the Japanese.
    path = po(tmp_path, entry('It is *not* shared.', '共有されません。'))
    assert kinds(path) == [(8, 'markup')]


def test_half_width_parentheses(tmp_path):
    path = po(tmp_path, entry('x', 'パイプ (第 3 章) を使います。'))
    assert kinds(path) == [(8, 'parens')]
    assert kinds(po(tmp_path, entry('x', 'パイプ（第 3 章）を使います。'))) == []
    # A call written in prose is not a parenthesis.
    assert kinds(po(tmp_path, entry('x', '親プロセスは join() で待ちます。'))) == []


def test_translated_code_span(tmp_path):
    path = po(tmp_path, entry('as `(pid, thread id)`', '`(pid, スレッド ID)` として'))
    assert kinds(path) == [(8, 'code')]
    ok = po(tmp_path, entry('as `(pid, thread id)`',
                            '`(pid, thread id)`（pid とスレッド ID の組）として'))
    assert kinds(ok) == []


def test_percent_that_gettext_reads_as_a_format(tmp_path):
    # "30 % or" contains "% o": msgfmt -c would reject the translation.
    path = po(tmp_path, entry('varies by 30 % or more', '30 % 以上ばらつきます'))
    assert kinds(path) == [(8, 'format')]
    ok = po(tmp_path, entry('varies by 30 percent or more', '30 % 以上ばらつきます'))
    assert kinds(ok) == []


def test_obsolete_entry_and_fuzzy_header(tmp_path):
    path = po(tmp_path, entry('x', 'ある。') + '#~ msgid "old"\n#~ msgstr ""\n')
    assert kinds(path) == [(10, 'obsolete')]
    fuzzy = HEADER.replace('# a test catalog\n', '# a test catalog\n#, fuzzy\n')
    assert kinds(po(tmp_path, entry('x', 'ある。'), header=fuzzy)) == [(2, 'obsolete')]


def md(tmp_path, text, name='README.ja.md'):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding='utf-8')
    return str(path)


def test_hard_wrapped_markdown(tmp_path):
    wrapped = md(tmp_path, """\
        # 演習

        API は標準
        ライブラリと同じです。
        """)
    assert kinds(wrapped) == [(3, 'wrap')]
    # One line per sentence, list items, code blocks and tables are fine.
    fine = md(tmp_path, """\
        # 演習

        API は標準ライブラリと同じです。
        次の文です。

        - 項目
        - 次の項目

        ```console
        $ 日本語の
        コメント
        ```
        """)
    assert kinds(fine) == []


def test_markdown_code_and_glossary_region(tmp_path):
    path = md(tmp_path, '雛形は `NotImplementedError("書くべきもの")` を送出します。\n')
    assert kinds(path) == [(1, 'code')]
    table = md(tmp_path, """\
        <!-- ja_check: off -->

        | 英語 | 使わない表記 |
        |---|---|
        | file descriptor | ファイルディスクリプタ |

        <!-- ja_check: on -->

        ファイルディスクリプタです。
        """)
    assert kinds(table) == [(9, 'variant')]


def test_svg_labels(tmp_path):
    path = tmp_path / 'x.ja.svg'
    path.write_text('<svg>\n<text>カーネルのバッファ</text>\n<text>1つ</text>\n</svg>\n',
                    encoding='utf-8')
    assert kinds(str(path)) == [(2, 'variant')]


def test_update_po_drops_obsolete_entries(tmp_path):
    text = HEADER + entry('x', 'ある。') + '#~ msgid "old"\n#~ msgstr "古い"\n\n'
    path = tmp_path / 'page.po'
    path.write_text(text, encoding='utf-8')
    assert build_docs.drop_obsolete(str(path)) == 1
    assert path.read_text(encoding='utf-8') == HEADER + entry('x', 'ある。')
    assert build_docs.drop_obsolete(str(path)) == 0


def test_the_build_runs_the_check(monkeypatch):
    monkeypatch.setattr(ja_check, 'check', lambda paths=None: [
        ja_check.Problem(os.path.join(ROOT, 'README.ja.md'), 1, 'variant', 'planted')])
    assert build_docs.check_japanese() is False
    monkeypatch.setattr(ja_check, 'check', lambda paths=None: [])
    assert build_docs.check_japanese() is True


def test_msgfmt_accepts_every_catalog():
    """GNU msgfmt -c: no format-string mismatch, no default header fields."""
    import shutil

    msgfmt = shutil.which('msgfmt')
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    for path in ja_check.default_files():
        if not path.endswith('.po'):
            continue
        run = subprocess.run([msgfmt, '-c', '-o', os.devnull, path],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0 and not run.stderr.strip(), (path, run.stderr)


def test_the_glossary_names_every_form_the_check_asks_for():
    """The check and the glossary must not drift apart: each form a problem
    message tells you to write is in CONTRIBUTING.ja.md and in the glossary
    page's Japanese catalog."""
    with open(os.path.join(ROOT, 'CONTRIBUTING.ja.md'), encoding='utf-8') as f:
        contributing = f.read()
    with open(os.path.join(ja_check.LOCALE, 'glossary.po'), encoding='utf-8') as f:
        glossary = f.read()
    for _pattern, want in ja_check.VARIANTS:
        if '半角スペース' in want:
            assert '半角スペース' in contributing
            continue
        form = want.split(' ')[0].split('（')[0]
        assert form in contributing, form
        assert form in glossary, form
