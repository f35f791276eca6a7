"""Drawing a recorded trace: an SVG timeline, a page, the ``trace`` command.

``teachmp.trace_analysis`` reads the trace into facts (spans, arrows, lanes,
the waits that never ended); this module only puts them on a picture:
``render_svg(chrome, lang)`` draws one lane per process (its threads as
sub-lanes), spans coloured by what they wait on, arrows, a time axis and a
legend.  The picture is static on purpose: no JavaScript, no fonts or
scripts from elsewhere, so it shows the same in a built chapter, in a file
opened from disk and offline; the labels are in English or Japanese.
``render_html`` puts the picture and the deadlock view's words on one
self-contained page.

Everything is measured in microseconds from the start of the trace and
scaled to a fixed width, so a picture of 2 ms and one of 2 s are the same
size; the axis picks a round step (1, 2 or 5 times a power of ten) that
gives it at most about ten ticks.

At the end, ``command`` is ``python -m teachmp trace``: record a program
(``teachmp.trace``), write the Chrome JSON, and ``trace show`` draws it.
"""

import html
import json

from teachmp import trace_analysis

# what a span waits on, for the colour and the legend
_CATEGORIES = {
    'pipe': ('#4e79a7', 'pipe send / recv', 'パイプの送受信'),
    'lock': ('#e15759', 'waiting for a lock', 'ロック待ち'),
    'held': ('#f28e2b', 'holding a lock', 'ロック保持中'),
    'process': ('#59a14f', 'start / join', 'プロセスの起動・join'),
    'queue': ('#76b7b2', 'queue put / get', 'キューの put / get'),
    'condition': ('#b07aa1', 'condition / event / barrier', '条件変数・イベント・バリア'),
    'pool': ('#edc948', 'pool worker', 'プールのワーカー'),
    'manager': ('#9c755f', 'manager call', 'マネージャー呼び出し'),
    'listener': ('#bab0ac', 'listener', 'リスナー'),
}
for _alias in ('event', 'barrier'):
    _CATEGORIES[_alias] = _CATEGORIES['condition']

_WORDS = {
    'en': {'time': 'time (ms)', 'arrow': 'message or lock hand-off',
           'lifetime': 'process alive', 'zombie': 'exited, not yet joined',
           'waits': 'Still waiting when the trace ended:',
           'none': 'Every wait finished: no process was left blocked.',
           'title': 'teachmp timeline'},
    'ja': {'time': '時間（ms）', 'arrow': 'メッセージ・ロックの受け渡し',
           'lifetime': 'プロセスの生存期間', 'zombie': '終了済み・未 join',
           'waits': 'トレースの終了時点でまだ待っていたもの:',
           'none': 'すべての待ちが終わっています。ブロックしたままのプロセスはありません。',
           'title': 'teachmp タイムライン'},
}


# -- the picture ------------------------------------------------------------

_LEFT, _WIDTH, _ROW, _TOP = 250, 980, 22, 30


def render_svg(chrome, lang='en', uid='t'):
    """The timeline as an SVG document (a string); ``uid`` keeps ids unique
    when several pictures share one page."""
    words = _WORDS[lang]
    events = [e for e in chrome['traceEvents'] if e['ph'] in ('X', 'i')]
    rows = trace_analysis.lane_rows(chrome)
    names = trace_analysis.lane_names(chrome)
    t1 = max([e['ts'] + e.get('dur', 0) for e in events] + [1.0])
    scale = (_WIDTH - _LEFT - 20) / t1

    def x(ts):
        return _LEFT + ts * scale

    def y(key):
        return _TOP + rows.get(key, 0) * _ROW

    height = _TOP + len(rows) * _ROW + 120
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="teachmp-timeline" '
           'width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" '
           'font-size="11">' % (_WIDTH, height, _WIDTH, height),
           '<defs><marker id="%s-arrowhead" markerWidth="8" markerHeight="6" refX="8" '
           'refY="3" orient="auto"><path d="M0,0 L8,3 L0,6 z" fill="#333"/>'
           '</marker></defs>' % uid,
           '<title>%s</title>' % html.escape(words['title'])]
    for key, row in rows.items():
        yy = y(key)
        if row % 2 == 0:
            out.append('<rect class="lane" x="0" y="%d" width="%d" height="%d" '
                       'fill="#f4f4f4"/>' % (yy, _WIDTH, _ROW))
        out.append('<text class="lane-label" x="4" y="%d">%s</text>'
                   % (yy + 15, html.escape(names.get(key, str(key[0])))))
    held = trace_analysis.held_spans(events)
    for e in sorted(events, key=lambda e: -e.get('dur', 0)):
        key = (e['pid'], e['tid'])
        if e['ph'] == 'i':
            out.append('<line class="instant" x1="%.1f" x2="%.1f" y1="%d" y2="%d" '
                       'stroke="#333"><title>%s</title></line>'
                       % (x(e['ts']), x(e['ts']), y(key) + 3, y(key) + 19,
                          html.escape(e['name'])))
            continue
        color = _CATEGORIES.get(e['cat'], ('#999',))[0]
        if e['name'] in ('process', 'main process'):
            out.append('<rect class="lifetime" x="%.1f" y="%d" width="%.1f" height="4" '
                       'fill="%s" opacity="0.5"/>' % (x(e['ts']), y(key) + 17,
                                                      max(e['dur'] * scale, 1), color))
            continue
        cls = 'span unfinished' if e['args'].get('unfinished') else 'span'
        out.append('<rect class="%s" x="%.1f" y="%d" width="%.1f" height="14" '
                   'fill="%s"%s><title>%s %.3f ms</title></rect>'
                   % (cls, x(e['ts']), y(key) + 3, max(e['dur'] * scale, 1.5), color,
                      ' stroke="#000" stroke-dasharray="3,2"'
                      if e['args'].get('unfinished') else '',
                      html.escape(e['name']), e['dur'] / 1000.0))
        width = e['dur'] * scale
        label = _span_label(e)
        if width > 7 * len(label) + 8:
            out.append('<text class="span-label" x="%.1f" y="%d" fill="#fff">%s</text>'
                       % (x(e['ts']) + 4, y(key) + 14, html.escape(label)))
    for key, start, end in held:
        out.append('<rect class="held" x="%.1f" y="%d" width="%.1f" height="3" '
                   'fill="%s"/>' % (x(start), y(key) + 18, max((end - start) * scale, 1),
                                    _CATEGORIES['held'][0]))
    out += _zombies(events, x, y, rows, words, t1)
    flows = [e for e in chrome['traceEvents'] if e['ph'] in ('s', 'f')]
    by_id = {}
    for f in flows:
        by_id.setdefault(f['id'], {})[f['ph']] = f
    for pair in by_id.values():
        if 's' in pair and 'f' in pair:
            s, f = pair['s'], pair['f']
            out.append('<line class="arrow" x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                       'stroke="#333" stroke-width="1" marker-end="url(#%s-arrowhead)"/>'
                       % (x(s['ts']), y((s['pid'], s['tid'])) + 10,
                          x(f['ts']), y((f['pid'], f['tid'])) + 10, uid))
    out += _axis(t1, x, _TOP + len(rows) * _ROW, words)
    out += _legend(_TOP + len(rows) * _ROW + 45, lang, words, uid)
    out.append('</svg>')
    return '\n'.join(out)


def _span_label(e):
    a = e['args']
    if e['name'] in ('send', 'recv') and 'bytes' in a:
        return '%s %s B' % (e['name'], format(a['bytes'], ','))
    if e['name'] in ('join', 'start') and 'name' in a:
        return '%s(%s)' % (e['name'], a['name'])
    if e['name'] == 'manager call' and 'method' in a:
        return '%s()' % a['method']
    return e['name']


def _zombies(events, x, y, rows, words, t1):
    """A child's exit until its parent collected the exit status: zombie time.

    A child that was never reaped while the trace ran is a zombie to the end.
    """
    ends = {e['pid']: e for e in events if e['ph'] == 'X' and e['name'] == 'process'
            and not e['args'].get('unfinished')}
    reaped = trace_analysis.reaped_at(events)
    out = []
    for pid, child in ends.items():
        died = child['ts'] + child['dur']
        until = reaped.get(pid, t1)
        yy = y((child['pid'], child['tid'])) + 10
        if 'died' in child['args']:
            out.append('<text class="died" x="%.1f" y="%d" text-anchor="middle" '
                       'fill="#c00">✕<title>exit code %s</title></text>'
                       % (x(died), yy + 4, child['args']['died']))
        if until > died:
            out.append('<line class="zombie" x1="%.1f" x2="%.1f" y1="%d" y2="%d" '
                       'stroke="#777" stroke-dasharray="2,3"><title>%s</title></line>'
                       % (x(died), x(until), yy, yy, html.escape(words['zombie'])))
    return out


def _axis(t1, x, yy, words):
    span_ms = t1 / 1000.0
    step = 10 ** len(str(int(span_ms / 8) or 1)) / 10 or 1   # a round number
    for nice in (1, 2, 5, 10):
        if span_ms / (step * nice) <= 10:
            step *= nice
            break
    out = ['<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#000"/>'
           % (_LEFT, _WIDTH - 20, yy + 2, yy + 2)]
    n = 0
    while n * step <= span_ms:
        ms = n * step
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#000"/>'
                   '<text x="%.1f" y="%d" text-anchor="middle">%g</text>'
                   % (x(ms * 1000.0), x(ms * 1000.0), yy + 2, yy + 6,
                      x(ms * 1000.0), yy + 18, round(ms, 6)))
        n += 1
    out.append('<text x="%d" y="%d">%s</text>' % (_LEFT, yy + 34,
                                                   html.escape(words['time'])))
    return out


def _legend(yy, lang, words, uid):
    out, xx, seen = [], 4, set()
    for cat, (color, en, ja) in _CATEGORIES.items():
        if color in seen:
            continue
        seen.add(color)
        label = ja if lang == 'ja' else en
        out.append('<rect x="%d" y="%d" width="12" height="10" fill="%s"/>'
                   '<text x="%d" y="%d">%s</text>' % (xx, yy, color, xx + 16, yy + 9,
                                                      html.escape(label)))
        xx += 26 + 7 * len(label) if lang == 'en' else 26 + 12 * len(label)
        if xx > _WIDTH - 150:
            xx, yy = 4, yy + 18
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#333" '
               'marker-end="url(#%s-arrowhead)"/><text x="%d" y="%d">%s</text>'
               % (xx, xx + 30, yy + 5, yy + 5, uid, xx + 36, yy + 9,
                  html.escape(words['arrow'])))
    return out


def render_html(chrome, lang='en'):
    """A self-contained page: the picture and the deadlock view."""
    words = _WORDS[lang]
    waits = trace_analysis.unfinished_waits(chrome, lang)
    listing = ('<p>%s</p><ul>%s</ul>' % (
        html.escape(words['waits']),
        ''.join('<li>%s</li>' % html.escape(w) for w in waits))
        if waits else '<p>%s</p>' % html.escape(words['none']))
    cycle = trace_analysis.wait_cycle(chrome, lang)
    if cycle:
        listing += '<p class="teachmp-cycle"><strong>%s</strong></p>' % html.escape(cycle)
    return ('<!DOCTYPE html>\n<html lang="%s"><head><meta charset="utf-8">'
            '<title>%s</title></head><body>\n%s\n<div class="teachmp-waits">%s</div>'
            '\n</body></html>\n' % (lang, html.escape(words['title']),
                                    render_svg(chrome, lang), listing))


# -- the command line: python -m teachmp trace ... ------------------------------

def command(argv):
    """``trace [-o OUT] script.py [args]`` records; ``trace show OUT`` draws."""
    import argparse
    import os
    if argv[:1] == ['show']:
        parser = argparse.ArgumentParser(
            prog='python -m teachmp trace show',
            description='Draw a recorded trace as a self-contained HTML page '
                        '(and an SVG next to it).')
        parser.add_argument('trace', help='the file written by "teachmp trace"')
        parser.add_argument('-o', dest='out', help='page to write (default: TRACE.html)')
        parser.add_argument('--lang', choices=sorted(_WORDS), default='en')
        args = parser.parse_args(argv[1:])
        chrome = trace_analysis.load(args.trace)
        out = args.out or os.path.splitext(args.trace)[0] + '.html'
        with open(out, 'w', encoding='utf-8') as f:
            f.write(render_html(chrome, args.lang))
        with open(os.path.splitext(out)[0] + '.svg', 'w', encoding='utf-8') as f:
            f.write(render_svg(chrome, args.lang))
        print('wrote %s' % out)
        for line in trace_analysis.unfinished_waits(chrome, args.lang):
            print('  still waiting: ' + line)
        cycle = trace_analysis.wait_cycle(chrome, args.lang)
        if cycle:
            print('  ' + cycle)
        return 0
    parser = argparse.ArgumentParser(
        prog='python -m teachmp trace',
        description='Run an unmodified multiprocessing program on teachmp and '
                    'record every blocking point of every process.  The result '
                    'is Chrome Trace Event JSON: open it in Perfetto '
                    '(ui.perfetto.dev) or chrome://tracing, or draw it with '
                    '"python -m teachmp trace show OUT".')
    parser.add_argument('-o', dest='out', default='trace.json',
                        help='where to write the trace (default: trace.json)')
    parser.add_argument('-m', dest='module', action='store_true',
                        help='TARGET is a module name (like python -m)')
    parser.add_argument('target', metavar='TARGET')
    parser.add_argument('args', nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    return record_program(args.target, args.args, args.out, module=args.module)


def record_program(target, args, out, module=False):
    """Run ``target`` under tracing; write the Chrome JSON to ``out``."""
    import os
    from teachmp import runner, trace
    raw = out + '.events'
    if os.path.exists(raw):
        os.unlink(raw)
    trace.install(raw)
    status = 0
    try:
        runner.run(target, args, module=module)
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (e.code is not None)
    except KeyboardInterrupt:
        status = 130
    finally:
        trace.uninstall()
        chrome = trace_analysis.load(raw)
        with open(out, 'w', encoding='utf-8') as f:
            json.dump(chrome, f)
        os.unlink(raw)
        print('teachmp trace: %d events from %d processes written to %s'
              % (sum(e['ph'] in 'XiB' for e in chrome['traceEvents']),
                 len({e['pid'] for e in chrome['traceEvents']}), out),
              file=__import__('sys').stderr)
    return status
