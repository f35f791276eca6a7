"""The README at the top of a student's copy or export, written for what it holds.

``exercises start`` and ``classroom export`` call ``write_readmes``: the
commands shown name the chapters and exercises really copied (a marker of
another chapter would be an "unknown marker" error), name the Python that
works as typed (``workspace.python_word``), and state the scoring rule.
An export adds three lines for students: push to be graded, how points are
given, where to read the score; and how to install the pinned pytest.
"""
import pathlib
import shlex

from teachmp_course.workspace import python_word

MARK_LINE = '<!-- written by teachmp_course; rewritten by exercises start -->'


def _commands(py, number, marker, cd):
    lines = [f'    cd {cd}'] if cd else []
    lines += [
        f'    {py} -m teachmp exercises check {number}',
        f'    {py} -m teachmp exercises check {number} -e {marker}',
        f'    {py} -m teachmp exercises check {number} --full',
        f'    {py} -m teachmp grade',
        f'    {py} -m pytest -m {marker}',
    ]
    return lines


def english(chapters, first, py, cd, export, points):
    number, marker, file = first
    listing = ', '.join(chapters)
    text = [MARK_LINE, f'# teachmp exercises: {listing}', '',
            f'Your copy of the exercises of {listing}.  The statements and hints are in',
            f"each chapter's README: `{chapters[0]}/README.md` (Japanese: `README.ja.md`).",
            f'Edit the exercise files (such as `{chapters[0]}/{file}`): replace each',
            '`raise NotImplementedError(...)` with your code.  Then, in this folder:', '',
            *_commands(py, number, marker, cd), '',
            'The first `check` prints one line per exercise (what to do next), the',
            "second checks one exercise, the third shows pytest's full output; `grade`",
            'grades them all and also writes `grade-junit.xml` and `grade-summary.json`.', '',
            f'How points are given: each exercise is worth {points} points, given when all',
            'of its tests pass (`grade` also shows how many tests pass, as progress).', '']
    if export:
        text += [
            '## Handing in', '',
            '- Push your commits to this repository: GitHub Classroom grades every push.',
            f'- Each exercise is worth {points} points when all its tests pass (the '
            '`max-score` of its',
            '  step in `.github/workflows/classroom.yml`); `python -m teachmp grade` here '
            'gives the same score.',
            "- Your score: the repository's **Actions** tab on GitHub, the latest "
            "\"Autograding Tests\" run.", '',
            'You need Python 3.10+ and the pinned test tools: '
            '`python -m pip install -r requirements.txt`.',
            'Keep your answers in your own repository: please do not send them to the',
            'teachmp project as pull requests.', '']
    return '\n'.join(text)


def japanese(chapters, first, py, cd, export, points):
    number, marker, file = first
    listing = ', '.join(chapters)
    text = [MARK_LINE, f'# teachmp 演習: {listing}', '',
            f'{listing} の演習問題の作業コピーです。問題文とヒントは各章の README'
            f'（`{chapters[0]}/README.ja.md`、英語は `README.md`）にあります。',
            f'演習ファイル（たとえば `{chapters[0]}/{file}`）の '
            '`raise NotImplementedError(...)` を自分のコードに書き換えたら、'
            'このフォルダーで次のように確認します。', '',
            *_commands(py, number, marker, cd), '',
            '最初の `check` は問題ごとに 1 行（次にすること）を表示し、2 つ目は 1 問だけを、'
            '3 つ目は pytest の出力をすべて表示します。`grade` は全問を採点し、'
            '`grade-junit.xml` と `grade-summary.json` も書き出します。', '',
            f'配点: 各問題は {points} 点で、その問題のテストがすべて通ったときに与えられます'
            '（`grade` は進み具合として、通ったテストの数も表示します）。', '']
    if export:
        text += [
            '## 提出', '',
            '- このリポジトリにコミットを push してください。push のたびに GitHub Classroom が'
            '採点します。',
            f'- 各問題は、テストがすべて通れば {points} 点です（`.github/workflows/classroom.yml` '
            'の各ステップの `max-score`）。'
            'ここで `python -m teachmp grade` を実行しても同じ点数になります。',
            '- 点数は GitHub のリポジトリの **Actions** タブで、最新の「Autograding Tests」の'
            '実行結果を開くと確認できます。', '',
            'Python 3.10 以上と、バージョンを固定したテストツールが必要です: '
            '`python -m pip install -r requirements.txt`。',
            '解答は自分のリポジトリで管理し、teachmp プロジェクトへのプルリクエストとして'
            '送らないでください。', '']
    return '\n'.join(text)


def write_readmes(workspace, dest, chapter_names, points, export=False):
    """Write README.md and README.ja.md for the chapters in ``dest`` (ours only)."""
    dest = pathlib.Path(dest).resolve()
    chapters = sorted(chapter_names)
    first_chapter = dest / chapters[0]
    files = sorted(first_chapter.glob('ex*_*.py'))
    stem = files[0].stem if files else 'ex00_0_name'
    marker = '_'.join(stem.split('_')[:2])
    number = chapters[0][:2] if len(chapters) == 1 else ','.join(c[:2] for c in chapters)
    first = (number, marker, files[0].name if files else stem + '.py')
    py = 'python' if export else python_word()
    cd = None if export else shlex.quote(str(dest))
    for name, make in (('README.md', english), ('README.ja.md', japanese)):
        path = dest / name
        if path.exists() and MARK_LINE not in path.read_text(encoding='utf-8', errors='replace'):
            continue                       # the student's own README: keep it
        path.write_text(make(chapters, first, py, cd, export, points), encoding='utf-8')
