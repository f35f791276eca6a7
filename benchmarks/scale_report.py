"""The scaling series as Markdown: benchmarks/scaling.md and a results.md section.

Both come from the same ``scaling.json``: :func:`table` is the table of every
point, :func:`document` wraps it into ``scaling.md`` and
:func:`update_results` puts it between two markers at the end of
``benchmarks/results.md`` (``python -m benchmarks`` keeps that section when
it rewrites the file, see :func:`section_from`).
"""

import os
import statistics

BEGIN = '<!-- scaling:begin (python -m benchmarks.scale) -->'
END = '<!-- scaling:end -->'
RSS_SLACK = 1.0          # MiB: allocator and page-cache noise in a peak RSS


def values(entry, impl, x, key='value'):
    return [s[key] for s in entry['samples'].get(impl, {}).get(str(x), [])
            if s.get(key) is not None]


def median(vals):
    return statistics.median(vals) if vals else None


def fmt(v):
    if v is None:
        return 'n/a'
    a = abs(v)
    if a >= 1e6:
        return f'{v / 1e6:.2f} M'
    if a >= 1e4:
        return f'{v / 1e3:.1f} k'
    if a >= 100:
        return f'{v:.0f}'
    if a >= 10:
        return f'{v:.1f}'
    if a >= 0.1:
        return f'{v:.2f}'
    return f'{v:.3f}'


def cell(vals):
    if not vals:
        return 'n/a'
    if len(vals) == 1:
        return fmt(vals[0])
    return f'{fmt(median(vals))} ({fmt(min(vals))}–{fmt(max(vals))})'


def point(series, entry, x):
    """Everything the table says about one point, as a dict."""
    t, s = values(entry, 'teachmp', x), values(entry, 'stdlib', x)
    f = values(entry, 'floor', x)
    ratio = series.cost_ratio(median(t), median(s))
    paired = [series.cost_ratio(a, b) for a, b in zip(t, s)]
    paired = [p for p in paired if p is not None]
    if series.target is None:
        verdict = 'informational'
    elif ratio is None:
        verdict = 'not measured'
    else:
        verdict = 'met' if ratio <= series.target else '**missed**'
    floor_ratio = series.cost_ratio(median(t), median(f)) if f else None
    out = {'teachmp': t, 'stdlib': s, 'floor': f, 'ratio': ratio,
           'paired': paired, 'verdict': verdict, 'floor_ratio': floor_ratio}
    if series.rss:
        rss = {}
        for key in ('rss_recv', 'rss_send'):
            rss[key] = {i: median(values(entry, i, x, key))
                        for i in ('teachmp', 'stdlib', 'floor')}
        checks = [rss[k]['teachmp'] <= rss[k]['stdlib'] + RSS_SLACK
                  for k in rss if rss[k]['teachmp'] is not None
                  and rss[k]['stdlib'] is not None]
        out['rss'] = rss
        out['rss_verdict'] = ('not measured' if not checks else
                              'met' if all(checks) else '**missed**')
    return out


def _ratio_cell(p):
    if p['ratio'] is None:
        return 'n/a'
    if len(p['paired']) < 2:
        return f'{p["ratio"]:.2f}'
    return f'{p["ratio"]:.2f} ({min(p["paired"]):.2f}–{max(p["paired"]):.2f})'


def _rss_cell(rss):
    def one(d):
        return ' / '.join('–' if d[i] is None else f'{d[i]:.1f}'
                          for i in ('teachmp', 'stdlib', 'floor'))
    recv = one(rss['rss_recv'])
    send = one(rss['rss_send']) if any(
        v is not None for v in rss['rss_send'].values()) else 'n/a'
    return f'{recv} · {send}'


def _in_order(doc, names=None):
    """The series of doc (or just names) in the order of SERIES_LIST."""
    from benchmarks.scaling import SERIES
    wanted = set(names or doc['series'])
    return [n for n in SERIES if n in wanted and n in doc['series']]


def table(doc, names=None):
    from benchmarks.scaling import SERIES
    names = _in_order(doc, names)
    rows = ['| series | x | unit | teachmp | stdlib | OS floor | cost ratio '
            'teachmp/stdlib | teachmp/floor | target | verdict |',
            '|' + '---|' * 10]
    rss_rows = ['| series | x | receiver peak RSS, MiB: teachmp / stdlib / '
                'floor · sender | verdict (teachmp ≤ stdlib + '
                f'{RSS_SLACK:.0f} MiB) |', '|---|---|---|---|']
    for name in names:
        s, entry = SERIES[name], doc['series'][name]
        for x in entry['xs']:
            p = point(s, entry, x)
            target = '—' if s.target is None else f'≤ {s.target:.1f}'
            floor_ratio = ('n/a' if p['floor_ratio'] is None
                           else f'{p["floor_ratio"]:.2f}')
            rows.append(f'| `{name}` | {s.fmt_x(x)} | {s.unit} '
                        f'| {cell(p["teachmp"])} | {cell(p["stdlib"])} '
                        f'| {cell(p["floor"])} | {_ratio_cell(p)} '
                        f'| {floor_ratio} | {target} | {p["verdict"]} |')
            if s.rss:
                rss_rows.append(f'| `{name}` | {s.fmt_x(x)} '
                                f'| {_rss_cell(p["rss"])} | {p["rss_verdict"]} |')
    text = '\n'.join(rows)
    if len(rss_rows) > 2:
        text += ('\n\nPeak resident memory during the transfers, above where '
                 'each process started them (median of the runs):\n\n'
                 + '\n'.join(rss_rows))
    return text


def summary(doc):
    """Per series: how many points met the target, and the worst ratio."""
    from benchmarks.scaling import SERIES
    rows = ['| series | what | target | points met | worst cost ratio (at x) '
            '| there: floor/stdlib | there: teachmp/floor | RSS |',
            '|---|---|---|---|---|---|---|---|']
    for name in _in_order(doc):
        s, entry = SERIES[name], doc['series'][name]
        pts = [(x, point(s, entry, x)) for x in entry['xs']]
        measured = [(x, p) for x, p in pts if p['ratio'] is not None]
        met = sum(p['verdict'] == 'met' for _, p in measured)
        worst = max(measured, key=lambda xp: xp[1]['ratio'], default=None)
        worst_cell = ('n/a' if worst is None else
                      f'{worst[1]["ratio"]:.2f} ({s.fmt_x(worst[0])})')
        # The floor's own cost ratio at that point: above the target, no
        # library on these system calls can meet it (see HOW_TO_READ).
        floor_cell = teachmp_floor = 'n/a'
        if worst is not None and worst[1]['floor']:
            p = worst[1]
            fr = s.cost_ratio(median(p['floor']), median(p['stdlib']))
            floor_cell = 'n/a' if fr is None else f'{fr:.2f}'
            if p['floor_ratio'] is not None:
                teachmp_floor = f'{p["floor_ratio"]:.2f}'

        target = '—' if s.target is None else f'≤ {s.target:.1f}'
        met_cell = ('—' if s.target is None else f'{met}/{len(pts)}')
        rss = '—'
        if s.rss:
            ok = sum(p.get('rss_verdict') == 'met' for _, p in pts)
            rss = f'{ok}/{len(pts)}'
        rows.append(f'| `{name}` | {s.title[0]} | {target} | {met_cell} '
                    f'| {worst_cell} | {floor_cell} | {teachmp_floor} | {rss} |')
    return '\n'.join(rows)


HOW_TO_READ = """\
Every cell is the median of the runs of one point, with the smallest and the
largest sample in parentheses; each sample ran in a fresh interpreter, and
the rounds were interleaved (round *k* measured every point of every series
on all the implementations, rotating their order). Nothing is pinned: these
curves are about how work spreads over the cores.

The **cost ratio** is teachmp's cost over the stdlib's at the same point,
from the medians: teachmp's time over the stdlib's for a time, the stdlib's
throughput (or speedup) over teachmp's for a throughput (or speedup). So
below 1 means teachmp is faster, whatever the unit. In parentheses, the
smallest and largest ratio of the samples paired by round. *teachmp/floor*
is the same ratio against the OS floor: how far teachmp is from the bare
system calls. The verdict compares the ratio of medians with the series'
target (*met* / *missed*); a series without a target is informational.
In the summary, *floor/stdlib* is the OS floor's own cost ratio at the worst
point: where it is above the target, no library built on those system
calls can meet the target, and *teachmp/floor* says how close teachmp is.
"""


def document(doc):
    from benchmarks.scaling import SERIES
    lines = ['# Scaling series', '',
             '<!-- Generated by python -m benchmarks.scale; do not edit by '
             'hand. -->', '']
    for run in doc['runs']:
        info = run['info']
        quick = ' (**--quick: tiny sizes, not representative**)' if run['quick'] else ''
        lines.append(f'- `{run["command"]}`{quick}: {run["runs"]} run(s), '
                     f'{info["date"]}, revision `{info["revision"]}`, load '
                     f'{info["load_before"]} → {info["load_after"]}, '
                     f'{info["duration"]:.0f} s; series: '
                     + ', '.join(f'`{n}`' for n in run['series']))
    lines += ['', f'Machine: {doc["runs"][-1]["info"]["cpu"]}, '
              f'{doc["runs"][-1]["info"]["cores"]}, '
              f'{doc["runs"][-1]["info"]["python"]}.', '',
              '## Summary', '', summary(doc), '',
              '## Every point', '', HOW_TO_READ, table(doc), '',
              '## What each series measures', '']
    for name in _in_order(doc):
        if name in SERIES:
            s = SERIES[name]
            lines.append(f'- `{name}` — {s.title[0]}: x = {s.x_label[0]}, '
                         f'y = {s.y_label[0]}. {s.note}.')
    errors = [(n, k, e) for n, entry in doc['series'].items()
              for k, e in entry.get('errors', {}).items()]
    if errors:
        lines += ['', '## Points that failed', '']
        lines += [f'- `{n}` {k}: {e}' for n, k, e in errors]
    lines.append('')
    return '\n'.join(lines)


def section(doc):
    """The block that results.md carries: the summary and every point."""
    return '\n'.join([
        BEGIN, '', '## Scaling series', '',
        'How the cost grows with the work (`python -m benchmarks.scale`; '
        'the full page with what each series measures is '
        '[scaling.md](scaling.md)).', '', summary(doc), '', HOW_TO_READ,
        table(doc), '', END, ''])


def section_from(results_text):
    """The scaling block of an existing results.md ('' if there is none)."""
    if BEGIN in results_text and END in results_text:
        start = results_text.index(BEGIN)
        return results_text[start:results_text.index(END) + len(END)] + '\n'
    return ''


def update_results(path, doc):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    old = section_from(text)
    if old:
        text = text.replace(old, section(doc))
    else:
        text = text.rstrip('\n') + '\n\n' + section(doc)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def keep_section(path):
    """For python -m benchmarks: the scaling block of the results.md it replaces."""
    if not os.path.exists(path):
        return ''
    with open(path, encoding='utf-8') as f:
        return section_from(f.read())
