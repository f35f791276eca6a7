#!/usr/bin/env python3
"""Check the Japanese text of teachmp for the drift a native reviewer found.

    python tools/ja_check.py            # check every catalog and Japanese file
    python tools/ja_check.py FILE ...   # check only these (.po, .md, .svg)

The Japanese edition was written by several hands, and each one drifted a
little: three spellings of "file descriptor", bold padded with spaces,
half-width parentheses, Markdown hard-wrapped in the middle of a word.  The
glossary (the section 用語集 in CONTRIBUTING.ja.md and the page
docs/glossary.md) fixes one form for each thing; this script is how the
glossary stays true.  ``make docs`` (tools/build_docs.py) runs it before
building, so CI fails on any of these, each reported as ``file:line: kind:
message``:

variant      a spelling the glossary replaced (ファイルディスクリプタ, 既定,
             バッファ, 第 05 章, Latin "kill" in a Japanese sentence, ...).
             A variant quoted as a word, 「開始方式」, is a mention, not a use,
             and is allowed: that is how the glossary names the official term.
padded       spaces between Japanese text and emphasis (「を *伝えます*。」).
             A space that CommonMark needs (the emphasis starts or ends with
             punctuation, 「**…忘れる。** 終わった」) is not reported.
unrendered   emphasis glued to a Japanese letter that CommonMark will not
             render (「これは**「重要」**です」).
markup       a .po entry whose emphasis, inline code or roles do not render
             the same number of times as in the English (markdown-it, the
             parser MyST uses).
parens       half-width parentheses around or next to Japanese text.
code         an inline code span with Japanese in it that the English does
             not have (code stays verbatim; gloss it outside the backticks).
wrap         a Markdown line that ends between two Japanese characters in
             the middle of a sentence (a browser shows the break as a space).
obsolete     a ``#~`` entry left in a catalog, or a ``#, fuzzy`` header.
format       an English message that gettext takes for a %-format (``30 % of``)
             while the translation has other directives: ``msgfmt -c`` fails.

Code (inline spans, fenced blocks, role targets) is never checked for
variants, nor is a Markdown region between ``<!-- ja_check: off -->`` and
``<!-- ja_check: on -->`` (the glossary's table of forbidden forms).
Standard library plus markdown-it-py (a dependency of MyST).
"""

from __future__ import annotations

import glob
import os
import re
import sys
import unicodedata
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCALE = os.path.join(ROOT, 'docs', 'locale', 'ja', 'LC_MESSAGES')

# -- the glossary's forbidden variants -----------------------------------------
# (pattern, the form to write).  Kept in step with CONTRIBUTING.ja.md (用語集)
# and docs/glossary.md: a test checks that every form named here is in both.
KANA = '\u3041-\u3096\u30a1-\u30fa\u30fc'
KANJI = '\u3400-\u4dbf\u4e00-\u9fff\u3005'
JLETTER = f'[{KANA}{KANJI}]'
JPUNCT = '\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u30fb'
JCHAR = f'[{KANA}{KANJI}{JPUNCT}]'

VARIANTS: list[tuple[str, str]] = [
    (r'ファイルディスクリプタ[ー]?|(?<!ファイル)ディスクリプタ[ー]?', 'ファイル記述子 / 記述子'),
    (r'開始方式', '起動方式'),
    (r'pickle ?化|ピクル化を解', 'ピクル化 / アンピクル'),
    (r'アンピクル化|unpickle ?化', 'アンピクル（アンピクルする）'),
    (r'コネクション(?!プール)', '接続'),
    (r'既定', 'デフォルト'),
    (r'インタープリタ(?!ー)|インタプリタ', 'インタープリター'),
    (r'バッファ(?![ーリ])', 'バッファー'),
    (r'ハンドラ(?!ー)', 'ハンドラー'),
    (r'フィルタ(?![ーリ])', 'フィルター'),
    (r'サーバ(?!ー)', 'サーバー'),
    (r'マネージャ(?!ー)', 'マネージャー'),
    (r'ユーザ(?!ー)', 'ユーザー'),
    (r'コンピュータ(?!ー)', 'コンピューター'),
    (r'パラメータ(?!ー)', 'パラメーター'),
    (r'イテレータ(?!ー)', 'イテレーター'),
    (r'スケジューラ(?!ー)', 'スケジューラー'),
    (r'アロケータ(?!ー)', 'アロケーター'),
    (r'フォルダ(?!ー)', 'フォルダー'),
    (r'メモリー|プロキシー|ライブラリー|ディレクトリー|エントリー(?!ポイント)',
     'プロキシ（-y で終わる語は長音なし：メモリ、ライブラリ、ディレクトリ、エントリ）'),
    (r'(?:ひとつ|一つ|ふたつ|二つ|三つ|四つ)(?!残らず)', '1 つ（算用数字。「ひとつ残らず」は別）'),
    (r'アトミック(?!）)', '不可分（アトミック）'),
    (r'番兵', '目印（キューの停止用）/ センチネル（Process.sentinel）'),
    (r'待ち手', '待機中のプロセス'),
    (r'通信路の上', '回線上'),
    (r'採点付き|採点つき', '自動採点される'),
    (r'第\s*0\d+\s*章|第\d+章|第\d+ 章|第 \d+章|(?<!第 )(?<![第\d])\d+ ?章から',
     '第 N 章（第 5 章）'),
    (r'(?<![\w`.-])stdlib(?![\w`])', '標準ライブラリ'),
    (r'(?<![\w`.-])(?:re-?)?import(?![\w`(])', 'インポート（コードの中だけ import）'),
    (r'(?<![\w`.-])(?:terminate|kill)(?![\w`(])', '強制終了（SIGTERM / SIGKILL）'),
    (r'(?<![\w`.-])dict(?![\w`(])', '辞書'),
    (r'(?<![\w`.-])sentinel(?![\w`(])', 'センチネル（コードは `sentinel`）'),
    (f'[0-9][{KANA}{KANJI}]', '数字と助数詞の間に半角スペース（1 つ）'),
    (f'[{KANA}{KANJI}][0-9]', '日本語と数字の間に半角スペース（最初の 6 つ）'),
    (r'旗', 'フラグ（セット／クリア）'),
]
_VARIANTS = [(re.compile(p), want) for p, want in VARIANTS]

# -- where Japanese lives ------------------------------------------------------

def default_files() -> list[str]:
    files = sorted(glob.glob(os.path.join(LOCALE, '**', '*.po'), recursive=True))
    files += [os.path.join(ROOT, n) for n in ('README.ja.md', 'CONTRIBUTING.ja.md')]
    files += sorted(glob.glob(os.path.join(ROOT, 'exercises', '*', 'README.ja.md')))
    files += sorted(glob.glob(os.path.join(ROOT, 'tutorials', '*', 'img', '*.ja.svg')))
    files += sorted(glob.glob(os.path.join(ROOT, 'docs', 'img', '**', '*.ja.svg'), recursive=True))
    return [f for f in files if os.path.exists(f)]


@dataclass
class Problem:
    path: str
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        rel = os.path.relpath(self.path, ROOT)
        return f'{rel}:{self.line}: {self.kind}: {self.message}'


# -- masking code so that only prose is checked --------------------------------

_CODE = re.compile(r'(`+)(.+?)\1', re.S)
_ROLE = re.compile(r'\{[\w:-]+\}(`+)(.+?)\1', re.S)
_LINK_TARGET = re.compile(r'\]\(([^)\s]*)\)|<https?://[^>]+>|https?://\S+')
_HTML = re.compile(r'<[^>\n]+>')


def _blank(m: re.Match) -> str:
    return re.sub(r'[^\n]', '\x00', m.group(0))


def mask_code(text: str) -> str:
    """Replace code, role targets, link targets and tags by NULs (same length)."""
    text = _ROLE.sub(_blank, text)
    text = _CODE.sub(_blank, text)
    text = _LINK_TARGET.sub(_blank, text)
    return _HTML.sub(_blank, text)


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith('P') or ch in '`$+<=>^|~'


def _jletter(ch: str) -> bool:
    return bool(ch) and re.fullmatch(JLETTER, ch) is not None


def _japanese(text: str) -> bool:
    return re.search(f'[{KANA}{KANJI}]', text) is not None


# -- the checks on one piece of Japanese text ----------------------------------

_QUOTED = re.compile(r'「[^「」\n]*」')
_EMPH = re.compile(r'(?<![*\\])(\*{1,2})(?!\*)(.+?)(?<![*\\])\1(?!\*)')


def check_text(text: str) -> list[tuple[int, str, str]]:
    """Problems in one Japanese text: (offset, kind, message)."""
    found = []
    prose = mask_code(text)
    # Variants, except where the variant is quoted as a word: 「開始方式」.
    quoted = [m.span() for m in _QUOTED.finditer(prose)]
    # ... and the English original glossed after a bold term: **強制終了**（terminate、kill）
    quoted += [m.span() for m in re.finditer(r'\*\*（[^（）\n]*）', prose)]
    for rx, want in _VARIANTS:
        for m in rx.finditer(prose):
            if '\x00' in m.group(0):
                continue
            if any(a < m.start() and m.end() < b for a, b in quoted):
                continue
            if not _japanese(_around(prose, m.start(), m.end())):
                continue  # Latin words in an English-only run (a quoted message)
            found.append((m.start(), 'variant', f'{m.group(0)!r}: write {want}'))
    # Emphasis: padding that CommonMark does not need, and glue it cannot parse.
    for m in _EMPH.finditer(prose):
        mark, inner = m.group(1), m.group(2)
        if '\n\n' in inner or inner != inner.strip():
            continue
        before = prose[m.start() - 1] if m.start() else ''
        before2 = prose[m.start() - 2] if m.start() > 1 else ''
        after = prose[m.end()] if m.end() < len(prose) else ''
        after2 = prose[m.end() + 1] if m.end() + 1 < len(prose) else ''
        first, last = _first(text, m.start(2), m.end(2)), _last(text, m.start(2), m.end(2))
        # Padding between two Japanese characters; a space next to a Latin
        # word (「*spawn* 起動方式」) is the book's ordinary spacing.
        if before == ' ' and re.fullmatch(JCHAR, before2 or 'x') and _jletter(first):
            found.append((m.start(), 'padded',
                          f'space before {mark}{_short(inner)}{mark}: remove it'))
        if after == ' ' and re.fullmatch(JCHAR, after2 or 'x') and _jletter(last):
            found.append((m.start(), 'padded',
                          f'space after {mark}{_short(inner)}{mark}: remove it'))
        if _jletter(before) and _is_punct(first):
            found.append((m.start(), 'unrendered',
                          f'{mark}{_short(inner)}{mark} starts with punctuation right after '
                          'a Japanese letter: CommonMark will not render it (add a space)'))
        if _jletter(after) and _is_punct(last):
            found.append((m.start(), 'unrendered',
                          f'{mark}{_short(inner)}{mark} ends with punctuation right before '
                          'a Japanese letter: CommonMark will not render it (add a space)'))
    # Half-width parentheses around or next to Japanese text.
    for m in re.finditer(r'\(([^()\n]*)\)', prose):
        inner = m.group(1)
        if m.start() and re.match(r'[\w.\]]', prose[m.start() - 1]):
            continue  # a call written as prose, join(), or a link
        near = prose[max(0, m.start() - 2):m.start()] + prose[m.end():m.end() + 2]
        if _japanese(inner) or re.search(JCHAR, near.replace(' ', '')):
            found.append((m.start(), 'parens',
                          f'{_short(text[m.start():m.end()])!r}: use full-width （）'))
    return found


def _around(prose: str, start: int, end: int) -> str:
    return prose[max(0, start - 40):end + 40]


def _first(text: str, start: int, end: int) -> str:
    return text[start] if start < end else ''


def _last(text: str, start: int, end: int) -> str:
    return text[end - 1] if start < end else ''


def _short(s: str) -> str:
    s = ' '.join(s.split())
    return s if len(s) <= 24 else s[:21] + '...'


def code_spans(text: str) -> list[str]:
    text = _ROLE.sub('', text)
    return [m.group(2).strip() for m in _CODE.finditer(text)]


# -- markup that must render as in the English (markdown-it) -------------------

_MD = None


def _markup_counts(text: str) -> dict[str, int]:
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.myst_role import myst_role_plugin

        _MD = MarkdownIt('commonmark').use(myst_role_plugin)
    counts: dict[str, int] = {}
    for block in _MD.parse(text):
        for tok in block.children or ():
            # (Inline code the translation adds, `logging` for "the logging
            # module", is harmless; the "code" check covers changed code.)
            if tok.type in ('em_open', 'strong_open', 'myst_role', 'link_open'):
                counts[tok.type] = counts.get(tok.type, 0) + 1
            elif tok.type == 'text' and re.search(r'(?<!\\)\*', tok.content):
                counts['literal *'] = counts.get('literal *', 0) + 1
    return counts


# -- files ---------------------------------------------------------------------

def _line_of(text: str, offset: int) -> int:
    return text.count('\n', 0, offset) + 1


def check_po(path: str) -> list[Problem]:
    from babel.messages.pofile import denormalize

    problems = []
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    # Entries: (line of msgstr, msgid, msgstr).
    i, header_done = 0, False
    while i < len(lines):
        line = lines[i]
        if line.startswith('#~'):
            problems.append(Problem(path, i + 1, 'obsolete',
                                    "a '#~' entry: delete it (it is no longer in the English)"))
            while i < len(lines) and lines[i].startswith('#~'):
                i += 1
            continue
        if line.startswith('#,') and 'fuzzy' in line and not header_done:
            j = i
            while j < len(lines) and not lines[j].startswith('msgid'):
                j += 1
            if j < len(lines) and lines[j] == 'msgid ""' and lines[j + 1].startswith('msgstr'):
                problems.append(Problem(path, i + 1, 'obsolete',
                                        "'#, fuzzy' on the header: delete the flag"))
        if line.startswith('msgid '):
            start = i
            while i + 1 < len(lines) and lines[i + 1].startswith('"'):
                i += 1
            msgid = denormalize('\n'.join(lines[start:i + 1])[6:])
            i += 1
            if i >= len(lines) or not lines[i].startswith('msgstr '):
                continue
            sline = i
            while i + 1 < len(lines) and lines[i + 1].startswith('"'):
                i += 1
            msgstr = denormalize('\n'.join(lines[sline:i + 1])[7:])
            if not msgid:
                header_done = True
            elif msgstr:
                problems += _check_entry(path, sline + 1, msgid, msgstr)
        i += 1
    return problems


def _check_entry(path: str, line: int, msgid: str, msgstr: str) -> list[Problem]:
    problems = []
    if _japanese(msgstr):
        for _off, kind, message in check_text(msgstr):
            problems.append(Problem(path, line, kind, message))
    # Babel flags a msgid that looks like a %-format ("30 % of" reads as
    # "% o"), and msgfmt -c then wants the same directives in the msgstr.
    from babel.messages.catalog import PYTHON_FORMAT

    want = [m.group(0) for m in PYTHON_FORMAT.finditer(msgid)]
    if want and [m.group(0) for m in PYTHON_FORMAT.finditer(msgstr)] != want:
        problems.append(Problem(path, line, 'format',
                                f"the English contains {want[0]!r}, which gettext reads as a "
                                "%-format the translation lacks: write 'percent' (or '90%,') "
                                "in the English"))
    english = code_spans(msgid)
    for span in code_spans(msgstr):
        if _japanese(span) and span not in english:
            problems.append(Problem(path, line, 'code',
                                    f'`{_short(span)}` is not in the English: keep code verbatim'))
    if msgstr != msgid and ('*' in msgid or '`' in msgid or '*' in msgstr or '`' in msgstr):
        want, got = _markup_counts(msgid), _markup_counts(msgstr)
        if want != got:
            diff = ', '.join(f'{k} {want.get(k, 0)}→{got.get(k, 0)}'
                             for k in sorted(set(want) | set(got))
                             if want.get(k, 0) != got.get(k, 0))
            problems.append(Problem(path, line, 'markup',
                                    f'renders differently from the English ({diff})'))
    return problems


_FENCE = re.compile(r'^\s*(```|~~~)')
_BLOCK_START = re.compile(r'^\s*(?:[-*+] |\d+[.)] |#|>|\||```|~~~|<!--|:::)')
_SENTENCE_END = '。！？」』）：'


def check_md(path: str) -> list[Problem]:
    with open(path, encoding='utf-8') as f:
        text = f.read()
    problems = []
    # Mask fenced code blocks so their content is not prose.
    out, fenced, off = [], False, False
    for line in text.split('\n'):
        # The glossary's own table names the variants it forbids.
        if line.strip() in ('<!-- ja_check: off -->', '<!-- ja_check: on -->'):
            off = line.strip() == '<!-- ja_check: off -->'
            out.append('')
            continue
        if off:
            out.append('')
            continue
        if _FENCE.match(line):
            fenced = not fenced
            out.append('')
            continue
        out.append('' if fenced else line)
    lines = out
    prose = '\n'.join(lines)
    for off, kind, message in check_text(prose):
        problems.append(Problem(path, _line_of(prose, off), kind, message))
    for m in _CODE.finditer(_ROLE.sub(_blank, prose)):
        if _japanese(m.group(2)):
            problems.append(Problem(path, _line_of(prose, m.start()), 'code',
                                    f'`{_short(m.group(2))}`: Japanese inside inline code; '
                                    'keep code verbatim and gloss it outside the backticks'))
    for n, (cur, nxt) in enumerate(zip(lines, lines[1:]), start=1):
        a, b = cur.rstrip(), nxt.strip()
        if not a or not b or _BLOCK_START.match(nxt) or a.lstrip().startswith('|'):
            continue
        if re.fullmatch(JCHAR, a[-1]) and a[-1] not in _SENTENCE_END and re.match(JCHAR, b):
            problems.append(Problem(path, n, 'wrap',
                                    f'line breaks mid-sentence between {a[-1]!r} and {b[0]!r}: '
                                    'join the lines (one line per paragraph or sentence)'))
    return problems


_SVG_TEXT = re.compile(r'>([^<>]+)<')


def check_svg(path: str) -> list[Problem]:
    with open(path, encoding='utf-8') as f:
        text = f.read()
    problems = []
    for m in _SVG_TEXT.finditer(text):
        label = m.group(1)
        if not _japanese(label):
            continue
        for rx, want in _VARIANTS:
            if '半角スペース' in want:
                continue  # spacing in a figure follows its layout
            for v in rx.finditer(label):
                problems.append(Problem(path, _line_of(text, m.start()), 'variant',
                                        f'{v.group(0)!r}: write {want}'))
    return problems


def check_file(path: str) -> list[Problem]:
    if path.endswith('.po'):
        return check_po(path)
    if path.endswith('.md'):
        return check_md(path)
    if path.endswith('.svg'):
        return check_svg(path)
    return []


def check(paths: list[str] | None = None) -> list[Problem]:
    problems = []
    for path in paths or default_files():
        problems += check_file(os.path.abspath(path))
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    problems = check(argv or None)
    for p in problems:
        print(p)
    if problems:
        print(f'ja_check: {len(problems)} problem(s) in the Japanese text '
              '(the forms to use: CONTRIBUTING.ja.md, 用語集)', file=sys.stderr)
        return 1
    print('ja_check: the Japanese text follows the glossary')
    return 0


if __name__ == '__main__':
    sys.exit(main())
