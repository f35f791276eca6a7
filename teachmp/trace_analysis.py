"""Reading a recorded trace: who waited, on what, for whom.

``teachmp.trace`` leaves one JSON line per event: begin ("B") and end ("E")
of a blocking call, or an instant ("i").  This module turns those lines into
facts about the run; ``teachmp.trace_draw`` only draws the facts.  Three
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
   ``load(path)`` does this for a file (or reads a Chrome file as it is).
2. ``unfinished_waits(chrome)`` lists those, in words, and ``wait_cycle``
   names the cycle of waits among them, if there is one (the deadlock view).
3. For the picture: ``lane_rows`` and ``lane_names`` (one lane per thread,
   the threads of a process together), ``held_spans`` (when a thread held a
   lock) and ``reaped_at`` (when a parent collected a child's exit status).

Why apart from the drawing: the facts are what the tests and the chapters'
deadlock views check, in words, with no SVG to pick apart; and either half
can change (a new kind of arrow, a new picture) without touching the other.
Nothing here imports the rest of teachmp: a trace is plain data.
"""

import json

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

# The deadlock view's word for when a wait began
_SINCE = {'en': 'since', 'ja': '開始'}


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
    lanes = lane_names(chrome)
    out = []
    for e in chrome['traceEvents']:
        if e['ph'] != 'X' or not e['args'].get('unfinished'):
            continue
        pattern = _WAIT_NAMES.get(e['name'], (e['name'] + '()', e['name'] + '()'))
        what = pattern[lang == 'ja'].format_map(_Default(e['args']))
        who = lanes.get((e['pid'], e['tid']), str(e['pid']))
        since = _SINCE[lang]
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
    lanes = lane_names(chrome)
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
    # a wait recorded without some argument still gets its sentence
    def __missing__(self, key):
        return '?'


def lane_names(chrome):
    """What to call each thread's lane: {(pid, tid): 'process (pid N) / thread'}."""
    procs, threads = {}, {}
    for e in chrome['traceEvents']:
        if e['ph'] == 'M' and e['name'] == 'process_name':
            procs[e['pid']] = e['args']['name']
        elif e['ph'] == 'M' and e['name'] == 'thread_name':
            threads[(e['pid'], e['tid'])] = e['args']['name']
    return {key: '%s / %s' % (procs.get(key[0], key[0]), name)
            for key, name in threads.items()}


# -- 3. facts for the picture ---------------------------------------------------

def lane_rows(chrome):
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


def held_spans(events):
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


def reaped_at(events):
    """When each child's exit status was first collected: {child pid: ts}.

    That is a ``reaped`` instant (``Popen.poll`` got it) or the end of a
    ``join`` that returned an exit code, whichever came first.
    """
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
    return reaped
