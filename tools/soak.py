"""Soak teachmp for a while: Pool, Queue, Manager and Lock traffic, with
Pool workers SIGKILLed at random (``make soak``).

    python tools/soak.py [--minutes 10] [--method fork] [--seed 1]
                         [--json docs/img/soak.json] [--svg docs/img/soak.svg]

Every round does four things and checks each answer:

* **Pool**: 16 tasks on a Pool of 3; in 4 rounds out of 10 a random worker
  is SIGKILLed while they run.  A task either returns the right value or
  fails with ``WorkerLostError`` (an *error raised*, expected); a result
  that never comes (``get`` timing out) or a wrong value is a *lost* item.
* **Queue**: a producer process puts 200 numbered items and exits; once it
  exited with status 0 its items are acknowledged, and all 200 must come
  out of the queue.  In 2 rounds out of 10 a second producer puts one
  256 KiB item and is SIGKILLed while its feeder writes it: the cut item
  may be dropped, but the queue must go on and the 200 must still arrive.
* **Manager**: a child process adds 1 to a manager dict entry 50 times
  under a manager Lock; the entry must have grown by 50.
* **Lock**: two children each add 1 to a shared Value 200 times under a
  Lock; the value must have grown by 400.

Every few seconds it samples operations done, errors, lost items, the RSS
of the whole process tree and the number of open descriptors of this
process, and at the end writes them to the JSON file and plots them to the
SVG file (matplotlib).  The exit status is 1 if any item was lost or the
descriptor count grew.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import teachmp  # noqa: E402
from teachmp.pool import WorkerLostError  # noqa: E402

GET_TIMEOUT = 10.0


def square(x):
    time.sleep(0.002)
    return x * x


def produce(q, n):
    for i in range(n):
        q.put(i)


def produce_big_then_hang(q, size):
    q.put(b'x' * size)
    time.sleep(GET_TIMEOUT)     # killed long before this ends


def manager_add(d, lock, key, n):
    for _ in range(n):
        with lock:
            d[key] = d.get(key, 0) + 1


def lock_add(value, lock, n):
    for _ in range(n):
        with lock:
            value.value += 1


def _rss_tree_kib(pid):
    """RSS of ``pid`` and all its descendants, in KiB."""
    parents = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as f:
                    data = f.read()
            except OSError:
                continue
            parents.setdefault(int(data[data.rfind(')') + 2:].split()[1]), []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(parents.get(p, ()))
        try:
            with open('/proc/%d/status' % p) as f:
                for line in f:
                    if line.startswith('VmRSS:'):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def _fd_count():
    return len(os.listdir('/proc/self/fd'))


class Soak:
    def __init__(self, ctx, rng):
        self.ctx, self.rng = ctx, rng
        self.ops = {'pool': 0, 'queue': 0, 'manager': 0, 'lock': 0}
        self.errors = {}
        self.lost = 0
        self.kills = 0
        self.producer_kills = 0
        self.slowest = (0.0, '')     # the longest step: (seconds, which)
        self.pool = ctx.Pool(3)
        self.queue = ctx.Queue()
        self.manager = ctx.Manager()
        self.mdict = self.manager.dict()
        self.mlock = self.manager.Lock()
        self.value = ctx.Value('q', 0, lock=False)
        self.lock = ctx.Lock()

    def close(self):
        self.pool.terminate()
        self.pool.join()
        self.queue.close()
        self.queue.join_thread()
        self.manager.shutdown()

    def join(self, p):
        p.join(GET_TIMEOUT)
        if p.exitcode is None:      # a child that hangs: counted, then killed
            self.errors['child still running after %ds' % GET_TIMEOUT] = \
                self.errors.get('child still running after %ds' % GET_TIMEOUT, 0) + 1
            p.kill()
            p.join()

    def error(self, exc):
        name = type(exc).__name__
        self.errors[name] = self.errors.get(name, 0) + 1

    def pool_round(self):
        xs = [self.rng.randrange(1000) for _ in range(16)]
        results = [self.pool.apply_async(square, (x,)) for x in xs]
        if self.rng.random() < 0.4:
            time.sleep(self.rng.random() * 0.02)
            workers = [w for w in self.pool._pool if w.exitcode is None]
            if workers:
                try:
                    os.kill(self.rng.choice(workers).pid, signal.SIGKILL)
                    self.kills += 1
                except ProcessLookupError:
                    pass
        for x, r in zip(xs, results):
            try:
                value = r.get(GET_TIMEOUT)
            except WorkerLostError as exc:
                self.error(exc)
                continue
            except teachmp.TimeoutError:
                self.lost += 1          # a result that never came
                continue
            if value != x * x:
                self.lost += 1
            self.ops['pool'] += 1

    def queue_round(self, n=200):
        t0 = time.monotonic()
        big = None
        if self.rng.random() < 0.2:     # a producer killed half-way through an item
            big = self.ctx.Process(target=produce_big_then_hang,
                                   args=(self.queue, 256 * 1024))
            big.start()
        p = self.ctx.Process(target=produce, args=(self.queue, n))
        p.start()
        t1 = time.monotonic()
        got = []
        try:
            while len(got) < n:
                if big is not None and len(got) >= self.rng.randrange(n):
                    big.kill()
                    self.producer_kills += 1
                    self.join(big)
                    big = None
                item = self.queue.get(timeout=GET_TIMEOUT)
                if not isinstance(item, bytes):     # the big item, if it got through whole
                    got.append(item)
        except Exception as exc:
            self.error(exc)
        if big is not None:
            big.kill()
            self.producer_kills += 1
            self.join(big)
        t2 = time.monotonic()
        self.join(p)
        if os.environ.get('SOAK_DEBUG') and time.monotonic() - t0 > 2:
            print('slow queue round: start %.2f get %.2f join %.2f exit %s' % (
                t1 - t0, t2 - t1, time.monotonic() - t2, p.exitcode), flush=True)
        if p.exitcode == 0:     # acknowledged: all n must have arrived
            self.lost += n - len(got)
        self.ops['queue'] += len(got)

    def manager_round(self, n=50):
        key = 'k%d' % self.rng.randrange(4)
        before = self.mdict.get(key, 0)
        p = self.ctx.Process(target=manager_add, args=(self.mdict, self.mlock, key, n))
        p.start()
        self.join(p)
        after = self.mdict.get(key, 0)
        if p.exitcode == 0 and after - before != n:
            self.lost += abs(n - (after - before))
        self.ops['manager'] += n

    def lock_round(self, n=200):
        before = self.value.value
        ps = [self.ctx.Process(target=lock_add, args=(self.value, self.lock, n))
              for _ in range(2)]
        for p in ps:
            p.start()
        for p in ps:
            self.join(p)
        if all(p.exitcode == 0 for p in ps) and self.value.value - before != 2 * n:
            self.lost += abs(2 * n - (self.value.value - before))
        self.ops['lock'] += 2 * n


def summary_table(r):
    """The soak's figures as a markdown table (the Reliability page includes it)."""
    rows = [
        ('duration', '%.1f min, start method %s, Python %s' % (r['minutes'], r['method'], r['python'])),
        ('rounds', '%d' % r['rounds']),
        ('operations done', ', '.join('%s %d' % kv for kv in r['ops'].items())),
        ('Pool workers SIGKILLed', '%d' % r['kills']),
        ('Queue producers SIGKILLed while writing an item', '%d' % r['producer_kills']),
        ('errors raised', ', '.join('%s %d' % kv for kv in r['errors'].items()) or 'none'),
        ('lost acknowledged items', '%d' % r['lost']),
        ('slowest step', '%.2f s (%s)' % tuple(r['slowest_step'])),
        ('open fds (first / max / last sample)', '%d / %d / %d' % (
            r['fds_first'], r['fds_max'], r['fds_last'])),
        ('RSS of the process tree, MiB (first / max / last)', '%.1f / %.1f / %.1f' % (
            r['rss_mib_first'], r['rss_mib_max'], r['rss_mib_last'])),
    ]
    return '| | |\n|---|---|\n' + ''.join('| %s | %s |\n' % row for row in rows)


def plot(samples, path, title):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    t = [s['t'] / 60 for s in samples]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    ax1.plot(t, [s['ops'] for s in samples], label='operations done')
    ax1.plot(t, [s['errors'] * 100 for s in samples], label='errors raised x100')
    ax1.plot(t, [s['lost'] for s in samples], label='lost acknowledged items')
    ax1.set_ylabel('count')
    ax1.legend(loc='upper left', fontsize=8)
    ax1.set_title(title, fontsize=10)
    ax2.plot(t, [s['rss_mib'] for s in samples], color='tab:red', label='RSS of the process tree (MiB)')
    ax2.set_ylabel('MiB')
    ax3 = ax2.twinx()
    ax3.plot(t, [s['fds'] for s in samples], color='tab:green', label='open fds (main process)')
    ax3.set_ylabel('fds')
    ax3.set_ylim(0, max(s['fds'] for s in samples) * 1.5)
    ax2.set_ylim(0, max(s['rss_mib'] for s in samples) * 1.3)
    ax2.set_xlabel('minutes')
    lines = ax2.get_lines() + ax3.get_lines()
    ax2.legend(lines, [ln.get_label() for ln in lines], loc='lower right', fontsize=8)
    fig.tight_layout()
    fig.savefig(path, metadata={'Date': None})
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--minutes', type=float, default=10.0)
    ap.add_argument('--method', default='fork')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--sample-every', type=float, default=5.0)
    ap.add_argument('--json', default=os.path.join(ROOT, 'docs', 'img', 'soak.json'))
    ap.add_argument('--svg', default=os.path.join(ROOT, 'docs', 'img', 'soak.svg'))
    ap.add_argument('--markdown', default=os.path.join(ROOT, 'docs', 'soak_summary.md'))
    args = ap.parse_args(argv)
    ctx = teachmp.get_context(args.method)
    soak = Soak(ctx, random.Random(args.seed))
    start = time.monotonic()
    end = start + args.minutes * 60
    samples, rounds, next_sample = [], 0, start

    def sample():
        samples.append({'t': round(time.monotonic() - start, 1), 'rounds': rounds,
                        'ops': sum(soak.ops.values()), 'errors': sum(soak.errors.values()),
                        'lost': soak.lost, 'kills': soak.kills,
                        'rss_mib': round(_rss_tree_kib(os.getpid()) / 1024, 1),
                        'fds': _fd_count()})
        s = samples[-1]
        print('%6.0f s  rounds %5d  ops %8d  errors %4d  lost %d  kills %4d  rss %6.1f MiB  fds %d'
              % (s['t'], rounds, s['ops'], s['errors'], s['lost'], s['kills'],
                 s['rss_mib'], s['fds']), flush=True)
    try:
        while time.monotonic() < end:
            if time.monotonic() >= next_sample:
                sample()
                next_sample += args.sample_every
            for step in (soak.pool_round, soak.queue_round, soak.manager_round,
                         soak.lock_round):
                t0 = time.monotonic()
                step()
                took = time.monotonic() - t0
                if took > soak.slowest[0]:
                    soak.slowest = (round(took, 2), step.__name__)
            rounds += 1
        sample()
    finally:
        soak.close()
    fds = [s['fds'] for s in samples]
    report = {'minutes': args.minutes, 'method': args.method, 'seed': args.seed,
              'python': sys.version.split()[0], 'rounds': rounds, 'ops': soak.ops,
              'errors': soak.errors, 'lost': soak.lost, 'kills': soak.kills,
              'producer_kills': soak.producer_kills,
              'slowest_step': soak.slowest,
              'fds_first': fds[0], 'fds_max': max(fds), 'fds_last': fds[-1],
              'rss_mib_first': samples[0]['rss_mib'],
              'rss_mib_max': max(s['rss_mib'] for s in samples),
              'rss_mib_last': samples[-1]['rss_mib'], 'samples': samples}
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=1)
    if args.svg:
        plot(samples, args.svg, 'teachmp soak, %s, %.0f min: %d ops, %d errors, %d lost, %d kills'
             % (args.method, args.minutes, sum(soak.ops.values()),
                sum(soak.errors.values()), soak.lost, soak.kills))
    if args.markdown:
        with open(args.markdown, 'w') as f:
            f.write(summary_table(report))
    print(json.dumps({k: v for k, v in report.items() if k != 'samples'}))
    # A flat fd count: it moves with the workers and children alive at the
    # moment of each sample, but the second half must not reach higher
    # than the first half did (plus a little noise).
    half = max(1, len(fds) // 2)
    ok = soak.lost == 0 and max(fds[half:]) <= max(fds[:half]) + 8
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
