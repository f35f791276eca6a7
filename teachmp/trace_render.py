"""Drawing a recorded trace: Chrome Trace Event JSON, then an SVG timeline.

``teachmp.trace`` leaves one JSON line per event: begin ("B") and end ("E")
of a blocking call, or an instant ("i").  This module does the rest, in three
plain steps:

1. ``to_chrome(records)`` pairs each begin with its end on the same thread
   (a stack per thread, since spans nest: a ``Queue.get`` contains the
   ``recv`` it made) and produces the Chrome Trace Event format: complete
   events ("X"), instants ("i"), names for the lanes ("M"), and *flow*
   events ("s"/"f") for the arrows -- from a ``send`` to the ``recv`` that got
   the same message (same size and checksum), and from a ``release`` to the
   ``acquire`` it let through (same lock, the acquire was waiting when the
   release happened).  A begin with no end is a wait that never finished:
   it becomes a span to the end of the trace marked ``unfinished``.
2. ``unfinished_waits(chrome)`` lists those, in words, and ``wait_cycle``
   names the cycle of waits among them, if there is one (the deadlock view).
3. ``render_svg(chrome, lang)`` draws one lane per process (its threads as
   sub-lanes), spans coloured by what they wait on, arrows, a time axis and
   a legend -- a static picture: no JavaScript, no fonts or scripts from
   elsewhere, labels in English or Japanese.  ``render_html`` puts the
   picture and the words on one self-contained page.
"""

import html
import json

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
           'since': 'since', 'title': 'teachmp timeline'},
    'ja': {'time': '時間（ms）', 'arrow': 'メッセージ・ロックの受け渡し',
           'lifetime': 'プロセスの生存期間', 'zombie': '終了済み・未 join',
           'waits': 'トレースの終了時点でまだ待っていたもの:',
           'none': 'すべての待ちが終わっています。ブロックしたままのプロセスはありません。',
           'since': '開始', 'title': 'teachmp タイムライン'},
}

_WAIT_NAMES = {
    'recv': ('recv() on fd {fd}', 'fd {fd} の recv()'),
    'send': ('send() on fd {fd} (the pipe is full)', 'fd {fd} への send()（パイプが満杯）'),
    'acquire': ('acquire() of {kind} {lock}', '{kind} {lock} の acquire()'),
    'join': ('join() of {name}', '{name} の join()'),
    'get': ('Queue.get()', 'Queue.get()'),
    'put': ('Queue.put()', 'Queue.put()'),
    'wait': ('wait()', 'wait()'),
    'accept': ('Listener.accept()', 'Listener.accept()'),
    'manager call': ('manager call {method}()', 'マネージャー呼び出し {method}()'),
    'wait for task': ('waiting for a task', 'タスク待ち'),
    'process': ('still running', 'まだ実行中'),
}


# -- 1. raw lines -> Chrome Trace Event format --------------------------------

def load(path):
    """The events of ``path``: raw trace lines, or a Chrome JSON file."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and 'traceEvents' in data:
        return data
    records = []
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue        # a line cut short by a kill: skip it
    return to_chrome(records)


def _us(ns, t0):
    return round((ns - t0) / 1000.0, 3)


def to_chrome(records):
    """Pair begins with ends; add lane names and arrows."""
    records = sorted(records, key=lambda r: r['ts'])
    t0 = records[0]['ts'] if records else 0
    t_end = records[-1]['ts'] if records else 0
    events, stacks, names, threads = [], {}, {}, {}
    for r in records:
        key = (r['pid'], r['tid'])
        threads[key] = r.get('thread', '')
        args = r.get('args', {})
        if r['name'] in ('process', 'main process') and r['ph'] in ('B', 'i'):
            names[r['pid']] = args.get('name', str(r['pid']))
        if r['ph'] == 'B':
            stacks.setdefault(key, []).append(r)
        elif r['ph'] == 'E':
            stack = stacks.get(key, [])
            while stack and stack[-1]['name'] != r['name']:
                stack.pop()         # a begin whose end was lost: drop it
            if stack:
                events.append(_complete(stack.pop(), r['ts'], dict(args), t0))
        else:
            events.append({'ph': 'i', 's': 't', 'name': r['name'], 'cat': r['cat'],
                           'pid': r['pid'], 'tid': r['tid'],
                           'ts': _us(r['ts'], t0), 'args': args})
    for stack in stacks.values():
        for begin in stack:
            events.append(_complete(begin, t_end, {'unfinished': True}, t0))
    _close_dead(events)
    events.sort(key=lambda e: e['ts'])
    meta = []
    for pid, name in names.items():
        meta.append({'ph': 'M', 'name': 'process_name', 'pid': pid,
                     'args': {'name': '%s (pid %d)' % (name, pid)}})
    for (pid, tid), name in threads.items():
        meta.append({'ph': 'M', 'name': 'thread_name', 'pid': pid, 'tid': tid,
                     'args': {'name': name}})
        names.setdefault(pid, str(pid))
    return {'traceEvents': meta + events + _flows(events),
            'displayTimeUnit': 'ms', 'otherData': {'producer': 'teachmp.trace'}}


def _close_dead(events):
    """A process that died (its exit status was collected) waits no more.

    Its open spans did not end because it was killed or left with
    ``os._exit`` inside them: end them at its last recorded moment, and say
    how the process ended, instead of calling them unfinished waits.
    """
    ended = {}
    for e in events:
        if e['name'] == 'reaped' or (e['name'] == 'join' and e['ph'] == 'X'
                                     and e['args'].get('exitcode') is not None):
            ended[e['args'].get('child')] = e['args'].get('exitcode')
    last = {}
    for e in events:
        if not e['args'].get('unfinished'):
            last[e['pid']] = max(last.get(e['pid'], 0), e['ts'] + e.get('dur', 0))
    for e in events:
        if e['ph'] == 'X' and e['args'].get('unfinished') and e['pid'] in ended:
            del e['args']['unfinished']
            e['dur'] = round(max(last.get(e['pid'], e['ts']) - e['ts'], 0), 3)
            e['args']['died'] = ended[e['pid']]


def _complete(begin, end_ns, end_args, t0):
    args = dict(begin.get('args', {}))
    args.update(end_args)
    return {'ph': 'X', 'name': begin['name'], 'cat': begin['cat'],
            'pid': begin['pid'], 'tid': begin['tid'], 'ts': _us(begin['ts'], t0),
            'dur': round((end_ns - begin['ts']) / 1000.0, 3), 'args': args}


def _flows(events):
    """Arrows: send -> recv of the same message, start -> the child it made,
    release -> the acquire it freed."""
    flows, used = [], set()
    spans = [e for e in events if e['ph'] == 'X']
    sends = [e for e in spans if e['name'] == 'send' and 'msg' in e['args']]
    for recv in (e for e in spans if e['name'] == 'recv' and 'msg' in e['args']):
        for send in sends:
            if (id(send) not in used and send['args']['msg'] == recv['args']['msg']
                    and send['ts'] <= recv['ts'] + recv['dur']
                    and (send['pid'], send['tid']) != (recv['pid'], recv['tid'])):
                used.add(id(send))
                # from the send's start: its bytes may be read before the
                # sender's write() returns, so only the start is surely earlier
                flows += _arrow(len(flows), 'message', send, send['ts'],
                                recv, recv['ts'] + recv['dur'])
                break
    lives = {e['pid']: e for e in spans if e['name'] == 'process'}
    for start in (e for e in spans if e['name'] == 'start'):
        child = lives.get(start['args'].get('child'))
        if child is not None:
            flows += _arrow(len(flows), 'start', start, start['ts'] + start['dur'],
                            child, child['ts'])
    releases = [e for e in events if e['ph'] == 'i' and e['name'] == 'release']
    for acq in (e for e in spans if e['name'] == 'acquire' and e['args'].get('ok')):
        end = acq['ts'] + acq['dur']
        freed = [r for r in releases if r['args'].get('lock') == acq['args'].get('lock')
                 and acq['ts'] <= r['ts'] <= end
                 and (r['pid'], r['tid']) != (acq['pid'], acq['tid'])]
        if freed:
            rel = freed[-1]
            flows += _arrow(len(flows), 'hand-off', rel, rel['ts'], acq, end)
    return flows


def _arrow(n, name, src, src_ts, dst, dst_ts):
    return [{'ph': 's', 'id': n, 'name': name, 'cat': 'flow', 'pid': src['pid'],
             'tid': src['tid'], 'ts': src_ts},
            {'ph': 'f', 'bp': 'e', 'id': n, 'name': name, 'cat': 'flow',
             'pid': dst['pid'], 'tid': dst['tid'], 'ts': dst_ts}]


# -- 2. the deadlock view -----------------------------------------------------

def unfinished_waits(chrome, lang='en'):
    """One sentence per wait that had not ended when the trace did."""
    lanes = _lane_names(chrome)
    out = []
    for e in chrome['traceEvents']:
        if e['ph'] != 'X' or not e['args'].get('unfinished'):
            continue
        pattern = _WAIT_NAMES.get(e['name'], (e['name'] + '()', e['name'] + '()'))
        what = pattern[lang == 'ja'].format_map(_Default(e['args']))
        who = lanes.get((e['pid'], e['tid']), str(e['pid']))
        since = _WORDS[lang]['since']
        out.append('%s: %s (%s %.1f ms)' % (who, what, since, e['ts'] / 1000.0)
                   if lang == 'en' else
                   '%s: %s（%.1f ms に%s）' % (who, what, e['ts'] / 1000.0, since))
    return out


def wait_cycle(chrome, lang='en'):
    """The cycle of waits that keeps the unfinished waits waiting, if any.

    Who waits for whom, read off the trace: a ``join`` waits for the child's
    threads; an ``acquire`` for the thread that holds the lock (acquired it
    and has not released it); a ``send`` or ``recv`` on a pipe for the
    threads seen on the other side of that pipe; and a process that is
    exiting (its ``process`` span unfinished) for its own threads that are
    still waiting.  A cycle in that graph is a deadlock: returned as one
    sentence naming each step, or None.
    """
    events = [e for e in chrome['traceEvents'] if e['ph'] in ('X', 'i')]
    lanes = _lane_names(chrome)
    stuck = {}                      # thread -> its innermost unfinished wait
    for e in sorted(events, key=lambda e: e['ts']):
        if e['ph'] == 'X' and e['args'].get('unfinished'):
            stuck[(e['pid'], e['tid'])] = e
    holders = {}
    for e in sorted(events, key=lambda e: e['ts'] + e.get('dur', 0)):
        lock = e['args'].get('lock')
        if e['name'] == 'acquire' and e['ph'] == 'X' and e['args'].get('ok'):
            holders[lock] = (e['pid'], e['tid'])
        elif e['name'] == 'release' and holders.get(lock) == (e['pid'], e['tid']):
            del holders[lock]
    seen_on = {}                    # pipe -> {'send': threads, 'recv': threads}
    for e in events:
        if e['name'] in ('send', 'recv') and e['args'].get('pipe'):
            seen_on.setdefault(e['args']['pipe'], {}).setdefault(
                e['name'], set()).add((e['pid'], e['tid']))
    edges = {}
    for who, e in stuck.items():
        targets = []
        if e['name'] == 'join':
            targets = [t for t in stuck if t[0] == e['args'].get('child')]
        elif e['name'] == 'acquire' and e['args'].get('lock') in holders:
            targets = [holders[e['args']['lock']]]
        elif e['name'] in ('send', 'recv'):
            other = 'recv' if e['name'] == 'send' else 'send'
            targets = sorted(seen_on.get(e['args'].get('pipe'), {}).get(other, ()))
        elif e['name'] == 'process':
            targets = [t for t in stuck if t[0] == who[0] and t != who]
        edges[who] = [t for t in targets if t != who and t in stuck]
    cycle = _find_cycle(edges)
    if not cycle:
        return None
    steps = []
    for who in cycle:
        pattern = _WAIT_NAMES.get(stuck[who]['name'], ('%s()', '%s()'))
        what = pattern[lang == 'ja'].format_map(_Default(stuck[who]['args']))
        steps.append('%s [%s]' % (lanes.get(who, str(who[0])), what))
    steps.append(lanes.get(cycle[0], str(cycle[0][0])))
    head = ('A cycle of waits (a deadlock): ' if lang == 'en'
            else '待ちの循環（デッドロック）: ')
    return head + ' → '.join(steps)


def _find_cycle(edges):
    state = {}

    def visit(node, path):
        state[node] = 'open'
        path.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 'open':
                return path[path.index(nxt):]
            if nxt not in state:
                found = visit(nxt, path)
                if found:
                    return found
        state[node] = 'done'
        path.pop()
        return None
    for node in sorted(edges):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


class _Default(dict):
    def __missing__(self, key):
        return '?'


def _lane_names(chrome):
    procs, threads = {}, {}
    for e in chrome['traceEvents']:
        if e['ph'] == 'M' and e['name'] == 'process_name':
            procs[e['pid']] = e['args']['name']
        elif e['ph'] == 'M' and e['name'] == 'thread_name':
            threads[(e['pid'], e['tid'])] = e['args']['name']
    return {key: '%s / %s' % (procs.get(key[0], key[0]), name)
            for key, name in threads.items()}


# -- 3. the picture -----------------------------------------------------------

_LEFT, _WIDTH, _ROW, _TOP = 250, 980, 22, 30


def _lanes(chrome):
    """Processes in order of appearance, each with its threads; row numbers."""
    order, first = [], {}
    for e in chrome['traceEvents']:
        if e['ph'] in ('X', 'i'):
            key = (e['pid'], e['tid'])
            if key not in first:
                first[key] = e['ts']
                order.append(key)
    procs = []
    for pid, _ in order:
        if pid not in procs:
            procs.append(pid)
    rows = {}
    for pid in procs:
        for key in order:
            if key[0] == pid:
                rows[key] = len(rows)
    return rows


def render_svg(chrome, lang='en', uid='t'):
    """The timeline as an SVG document (a string); ``uid`` keeps ids unique
    when several pictures share one page."""
    words = _WORDS[lang]
    events = [e for e in chrome['traceEvents'] if e['ph'] in ('X', 'i')]
    rows = _lanes(chrome)
    names = _lane_names(chrome)
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
    held = _held_spans(events)
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


def _held_spans(events):
    """From each successful acquire to the release of the same lock, same thread."""
    spans, open_ = [], {}
    for e in sorted(events, key=lambda e: e['ts'] + e.get('dur', 0)):
        key = (e['pid'], e['tid'])
        lock = e['args'].get('lock')
        if e['name'] == 'acquire' and e['ph'] == 'X' and e['args'].get('ok'):
            open_[(key, lock)] = e['ts'] + e['dur']
        elif e['name'] == 'release' and (key, lock) in open_:
            spans.append((key, open_.pop((key, lock)), e['ts']))
    return spans


def _zombies(events, x, y, rows, words, t1):
    """A child's exit until its parent collected the exit status: zombie time.

    A child that was never reaped while the trace ran is a zombie to the end.
    """
    ends = {e['pid']: e for e in events if e['ph'] == 'X' and e['name'] == 'process'
            and not e['args'].get('unfinished')}
    reaped = {}
    for e in events:
        if e['ph'] == 'i' and e['name'] == 'reaped':
            moment = e['ts']
        elif e['name'] == 'join' and e['args'].get('exitcode') is not None:
            moment = e['ts'] + e['dur']
        else:
            continue
        child = e['args'].get('child')
        reaped[child] = min(reaped.get(child, moment), moment)
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
    waits = unfinished_waits(chrome, lang)
    listing = ('<p>%s</p><ul>%s</ul>' % (
        html.escape(words['waits']),
        ''.join('<li>%s</li>' % html.escape(w) for w in waits))
        if waits else '<p>%s</p>' % html.escape(words['none']))
    cycle = wait_cycle(chrome, lang)
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
        chrome = load(args.trace)
        out = args.out or os.path.splitext(args.trace)[0] + '.html'
        with open(out, 'w', encoding='utf-8') as f:
            f.write(render_html(chrome, args.lang))
        with open(os.path.splitext(out)[0] + '.svg', 'w', encoding='utf-8') as f:
            f.write(render_svg(chrome, args.lang))
        print('wrote %s' % out)
        for line in unfinished_waits(chrome, args.lang):
            print('  still waiting: ' + line)
        cycle = wait_cycle(chrome, args.lang)
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
        chrome = load(raw)
        with open(out, 'w', encoding='utf-8') as f:
            json.dump(chrome, f)
        os.unlink(raw)
        print('teachmp trace: %d events from %d processes written to %s'
              % (sum(e['ph'] in 'XiB' for e in chrome['traceEvents']),
                 len({e['pid'] for e in chrome['traceEvents']}), out),
              file=__import__('sys').stderr)
    return status
