"""Turn samples into the Markdown table and the results.md document."""

import datetime
import os
import platform
import statistics
import subprocess
import sys

from benchmarks.cases import CASES

HERE = os.path.dirname(os.path.abspath(__file__))


# -- the machine ---------------------------------------------------------------

def cpu_model():
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def os_name():
    try:
        with open('/etc/os-release', encoding='utf-8') as f:
            for line in f:
                if line.startswith('PRETTY_NAME='):
                    return line.split('=', 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def loadavg():
    try:
        return ' '.join(f'{x:.2f}' for x in os.getloadavg())
    except OSError:
        return 'unknown'


def git_revision():
    """The commit measured, and whether teachmp/ differs from it."""
    if os.environ.get('BENCH_SOURCE_REVISION'):    # a snapshot (git archive)
        return os.environ['BENCH_SOURCE_REVISION']

    def git(*args):
        try:
            out = subprocess.run(['git', *args], cwd=HERE, capture_output=True,
                                 text=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return ''
        return out.stdout.strip() if out.returncode == 0 else ''
    rev = git('rev-parse', '--short', 'HEAD')
    if not rev:
        return 'unknown'
    if git('status', '--porcelain', '--', '../teachmp'):
        rev += ' + uncommitted changes in teachmp/'
    return rev


def machine_info():
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        'cpu': cpu_model(),
        'cores': f'{os.cpu_count()} logical ({usable} usable by this process)',
        'python': f'{platform.python_implementation()} '
                  f'{platform.python_version()} ({sys.executable})',
        'kernel': f'{platform.system()} {platform.release()} '
                  f'{platform.machine()}',
        'os': os_name(),
        'date': datetime.datetime.now(datetime.timezone.utc)
                .strftime('%Y-%m-%d %H:%M UTC'),
        'revision': git_revision(),
        'load_before': loadavg(),
    }


# -- statistics ----------------------------------------------------------------

def quartiles(values):
    """(q1, median, q3) of a list of numbers (q1 = q3 = the value for one)."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method='inclusive')
    return q1, q2, q3


def fmt(x):
    if x >= 100:
        return f'{x:.0f}'
    if x >= 10:
        return f'{x:.1f}'
    return f'{x:.2f}'


def cell(values):
    if not values:
        return 'n/a'
    if len(values) == 1:
        return fmt(values[0])
    return (f'{fmt(statistics.median(values))} '
            f'({fmt(min(values))}–{fmt(max(values))})')


def ratio(samples, placement, name, a, b):
    """Ratio of medians a/b, and the per-round ratios (rounds are paired)."""
    va = samples.get((placement, name, a))
    vb = samples.get((placement, name, b))
    if not va or not vb:
        return None, []
    paired = [x / y for x, y in zip(va, vb)]
    return statistics.median(va) / statistics.median(vb), paired


def ratio_cell(value, paired):
    if value is None:
        return 'n/a'
    if len(paired) < 2:
        return f'{value:.2f}'
    return f'{value:.2f} ({min(paired):.2f}–{max(paired):.2f})'


def verdict(case, samples, placement):
    """'pass', 'within noise' or 'FAIL' against the case's target."""
    if case.target is None:
        return '—', 'informational'
    against, limit = case.target
    if against == 'absolute':
        return absolute_verdict(case, samples, placement, limit)
    value, paired = ratio(samples, placement, case.name, 'teachmp', against)
    if case.better == 'lower':
        goal = f'teachmp/{against} ≤ {limit:.2f}'
    else:
        goal = f'teachmp/{against} ≥ {limit:.2f}'
    if value is None:
        return goal, 'not measured'
    q1, _, q3 = quartiles(paired)
    if case.better == 'lower':
        if value <= limit:
            return goal, 'pass'
        return goal, 'within noise' if q1 <= limit else '**FAIL**'
    if value >= limit:
        return goal, 'pass'
    return goal, 'within noise' if q3 >= limit else '**FAIL**'


def absolute_verdict(case, samples, placement, limit):
    """Judge the teachmp median itself against a number in the row's unit."""
    unit = case.unit.split('/')[0]
    sign = '≤' if case.better == 'lower' else '≥'
    goal = f'teachmp {sign} {fmt(limit)} {unit}'
    values = samples.get((placement, case.name, 'teachmp'))
    if not values:
        return goal, 'not measured'
    q1, median, q3 = quartiles(values)
    if case.better == 'lower':
        if median <= limit:
            return goal, 'pass'
        return goal, 'within noise' if q1 <= limit else '**FAIL**'
    if median >= limit:
        return goal, 'pass'
    return goal, 'within noise' if q3 >= limit else '**FAIL**'


# -- the table -----------------------------------------------------------------

PLACEMENT_TITLES = {
    'same': 'One core: parent and child pinned to the same CPU',
    'split': 'Two cores: parent and child pinned to different CPUs',
    'none': 'Not pinned: wherever the scheduler puts them',
}


def table(names, samples, placement):
    head = ('| benchmark | unit | teachmp | stdlib | OS floor '
            '| teachmp/stdlib | teachmp/floor | target | result |')
    rows = [head, '|' + '---|' * 9]
    for name in names:
        case = CASES[name]
        goal, result = verdict(case, samples, placement)
        cells = [f'{case.title} (`{name}`)', case.unit]
        cells += [cell(samples.get((placement, name, impl), []))
                  for impl in ('teachmp', 'stdlib', 'floor')]
        for other in ('stdlib', 'floor'):
            cells.append(ratio_cell(*ratio(samples, placement, name,
                                           'teachmp', other)))
        cells += [goal, result]
        rows.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(rows)


def cpu_table(names, cpu, placement):
    """The start benchmarks again, in CPU time instead of wall time."""
    rows = ['The same start benchmarks in CPU time (user + system, parent + '
            'the children it reaped) per process or manager: it counts work done, not '
            'time spent waiting for a busy core, so on a shared machine it is '
            'the steadier of the two. Same target, judged on CPU time.',
            '',
            '| benchmark | unit | teachmp | stdlib | OS floor '
            '| teachmp/stdlib | teachmp/floor | target | result |',
            '|' + '---|' * 9]
    for name in names:
        case = CASES[name]
        goal, result = verdict(case, cpu, placement)
        cells = [f'{case.title}, CPU (`{name}`)', f'CPU {case.unit}']
        cells += [cell(cpu.get((placement, name, impl), []))
                  for impl in ('teachmp', 'stdlib', 'floor')]
        for other in ('stdlib', 'floor'):
            cells.append(ratio_cell(*ratio(cpu, placement, name,
                                           'teachmp', other)))
        cells += [goal, result]
        rows.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(rows)


def busy_note(info):
    """A warning when other work was competing for the CPUs."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    loads = []
    for text in (info['load_before'], info['load_after']):
        try:
            loads.append(float(text.split()[0]))
        except (ValueError, IndexError):
            pass
    if loads and max(loads) > 0.5 * cores:
        return (f'> **Busy machine:** the 1-minute load average reached '
                f'{max(loads):.1f} on {cores} cores during this run (other '
                'work was running). Wall times spread widely and a verdict '
                'near 1.00 can flip between runs; the CPU-time table and the '
                'ratio ranges are the better guide.')
    return ''


HOW_TO_READ = """\
Each cell is the **median** of the samples, with the smallest and largest
sample in parentheses. Every sample ran in a fresh interpreter
(`python -m benchmarks.one NAME IMPL`), and the rounds were interleaved (round
*k* measured every benchmark on all three implementations, rotating their
order) so that background load hits the columns alike.

The ratio columns divide the teachmp median by the stdlib / floor median; in
parentheses, the smallest and largest ratio of the paired samples of one
round. For times (ms, µs) lower is better, so a ratio below 1 means teachmp is
faster; for throughput (MiB/s) higher is better, so teachmp/floor is the
fraction of the raw copy speed that teachmp reaches.

*result*: **pass** when the ratio of medians meets the target; *within
noise* when it misses but at least a quarter of the paired rounds meet it
(the lower quartile of the per-round ratios for times, the upper quartile for
throughput); **FAIL** otherwise.
"""

WHAT_IS_MEASURED = """\
- **Process start+join** (`fork_start`, `spawn_start`):
  `ctx = mp.get_context(method); p = ctx.Process(target=noop); p.start();
  p.join()` in a loop, time per process. One untimed process first, so
  one-time costs (lazy imports; the stdlib's resource-tracker process, which
  its first `spawn` starts) are not spread over the loop. The fork floor is
  `os.fork()` + `os._exit(0)` + `os.waitpid()`. The spawn floor is
  `os.posix_spawn()` of `sys.executable -c pass` (with `site`, like the
  children of both libraries; `-S` would be cheaper than any of them), then
  `waitpid`: the start-up of a bare interpreter, which every spawned child
  pays before it can import anything (in the project's `.venv` that includes
  `site` loading the editable install's import hook, a few ms, paid alike by
  all three columns). Before measuring, the driver writes the bytecode of
  teachmp and of the suite (`compileall`), as the stdlib's was written when
  Python was installed, so that no child compiles source code.
- **Pipe round trip** (`pipe_roundtrip`): a `Pipe()` (duplex, a socketpair in
  both libraries), a forked child that echoes what it receives; the parent
  does `send(('ping', 1))` then `recv()`, 100 untimed round trips then the
  timed ones. The floor is the same over a raw `socket.socketpair()`:
  `os.write` of 27 fixed bytes (the size of the stdlib's frame for that
  object) and one `os.read`, no pickle, no framing.
- **1 MiB stream** (`pipe_stream`, `pipe_stream_duplex`): a forked child
  calls `send_bytes()` on a 1 MiB `bytes` (real distinct pages, not zeros)
  again and again; the parent calls `recv_bytes()` and is timed from the end
  of the first (untimed) message to the last one. The target row uses
  `Pipe(duplex=False)`, an `os.pipe()` in both libraries; its floor is the
  same bytes through a raw `os.pipe()`: the writer loops `os.write` on 1 MiB
  chunks, the reader `os.readv()`s into one reused 1 MiB buffer (so the floor
  allocates nothing, whereas `recv_bytes()` must return a new `bytes` per
  message). The `duplex=True` row is the same over a socketpair, with a
  socketpair floor; it has no target and is there to show the difference.
- **Lock, uncontended** (`lock_uncontended`): `acquire()` then `release()`
  of one `Lock()` in a loop, 1,000 untimed pairs first. The target is
  absolute (1.6 µs per pair on this machine), not a ratio: the stdlib's lock
  is a POSIX semaphore whose uncontended path is an atomic instruction in
  user space, no system call, while teachmp's lock is a pipe holding one
  byte. The floor is that pipe's two system calls, `os.read` of the byte and
  `os.write` of it back, on a non-blocking `os.pipe()`: the least any
  pipe-based lock can cost (the stdlib beats it by not entering the kernel).
- **Lock handoff** (`lock_handoff`): two `Lock()`s, both acquired by the
  parent before it forks a child; the parent releases `ping` and acquires
  `pong`, the child acquires `ping` and releases `pong`. Each round is two
  handoffs; the time is per handoff. Floor: the same dance with one-byte
  `os.write`/`os.read` on two blocking pipes.
- **Locked increment** (`value_increment`): `v = Value('i', 0)`, then
  `with v.get_lock(): v.value += 1` in a loop (the final value is checked).
  Floor: the pipe lock's read and write around `+= 1` on an int in a shared
  `mmap`.
- **Array bulk read/write** (`array_read`, `array_write`): on
  `RawArray('d', 1_000_000)`, `a[:]` (a new list of a million floats) and
  `a[:] = data` (`data` a list of a million floats), time per operation.
  Floors, on a shared anonymous `mmap` of 8 MB cast to doubles:
  `memoryview.tolist()`, and `view[:] = array('d', data)` (convert in C,
  then one copy). Most of this time is creating or reading a million Python
  floats, which no implementation avoids.
- **SharedMemory** (`shm_cycle`): `SharedMemory(create=True, size=1 MiB)`,
  attach a second `SharedMemory(name)`, `close()` both, `unlink()`; time per
  cycle. The stdlib also tells its resource-tracker process about the
  segment (started by the untimed first cycle). Floor: `os.open` under
  `/dev/shm` with `O_CREAT|O_EXCL` (what `shm_open` does on Linux),
  `ftruncate`, `mmap`; `os.open` + `fstat` + `mmap` to attach; `munmap`,
  `close`, `unlink`.
- **Queue** (`queue_one`, `queue_four`): a `Queue()`, one (or four) forked
  `Process`es that each put a first untimed item and then wait at a starting
  gun (a plain `os.pipe`); once the parent has got every first item it fires
  the gun and times getting the 20,000 small ints (`q.get()` in a loop; the
  sum is checked), per item. Floor: the producers `os.write` 8-byte frames
  into one `os.pipe()` (atomic writes), the parent `os.read`s 8 bytes per
  item: no pickle, no feeder thread, no lock.
- **Pool.map, tiny tasks** (`pool_map_tiny`): `Pool()` (one worker per CPU,
  the default chunksize), one untimed `map` of 1,000, then
  `pool.map(f, range(20_000))` with `f(x) = x`, time per `map` call. No OS
  floor: there is no raw-system-call version of a pool worth the name.
- **Pool.map speedup** (`pool_speedup`): 4 × cpu_count() CPU-bound tasks
  (a Python loop of 400,000 multiply-adds), run serially in the parent, then
  with `Pool(cpu_count()).map(..., chunksize=1)`, alternately, three times
  per sample; the value is total serial time / total parallel time, so
  higher is better and cpu_count() is the ideal. This benchmark is **not
  pinned** in any placement (it needs every core), takes fewer samples, and
  on a machine shared with other work it measures the cores left over.
  Floor: the same tasks split over cpu_count() `os.fork()`ed children,
  nothing sent back.
- **Manager dict** (`manager_dict`): a `SyncManager` (server forked, pinned
  with `start(initializer=...)` in the two-core table), `d = manager.dict()`,
  100 untimed rounds, then `d['key'] = i; d['key']` in a loop; time per
  set+get pair (two request/reply round trips). Floor: a forked server
  holding a `dict` answers raw byte requests on a socketpair, two round
  trips per pair.
- **Manager start** (`manager_start`): `ctx.Manager()` (starts the server
  process and connects) then `shutdown()`, time per manager, with the CPU
  time in the second table. Floor: fork a child that says "ready" on a
  socketpair, tell it to stop, reap it.
- **Listener/Client** (`listener_connect`): a forked child runs
  `Listener(family='AF_UNIX', authkey=...)` and accepts and closes
  connections in a loop; the parent times `Client(address, authkey=...)`
  then `close()`, per connection, both sides' challenges included. Floor:
  raw `AF_UNIX` `connect`/`accept` and six small messages of the handshake's
  sizes, no HMAC.

Counts and samples were chosen to keep a full `make bench` within about
eight minutes on a 2-core machine: each sample runs for a fraction of a
second, and the slow `pool_speedup` takes 5 samples per cell instead of 9.
"""



PLACEMENT_NOTES = {
    'same': 'Every process of a sample runs on one CPU (`sched_setaffinity`), '
            'so a message costs two context switches and the system calls: '
            'on a quiet machine the steadiest placement, showing what each '
            'implementation itself costs. **The targets are judged on this '
            'table.**',
    'split': 'The parent on one CPU, the child of each pipe benchmark on the '
             'other: what a program that really runs in parallel sees, '
             'cross-core wake-ups and cache traffic included. Noisier, '
             'especially on a machine shared with other work.',
    'none': 'No pinning: the scheduler decides, differently from one sample '
            'to the next, so expect a wide spread.',
}


def document(args, info, tables, samples, cpu, impls, teachmp_note=''):
    counts = {n: (args.count or (CASES[n].quick if args.quick
                                 else CASES[n].count))
              for n in args.names}
    lines = ['# Benchmark results', '',
             '<!-- Generated by `make bench` (python -m benchmarks); '
             'do not edit by hand. -->', '']
    if args.teachmp_module != 'teachmp':
        lines += ['> **Warning: development run.** The teachmp column '
                  f'measured `{args.teachmp_module}`, not teachmp.', '']
    if teachmp_note:
        lines += [f'> teachmp was not measured: {teachmp_note}', '']
    if args.quick:
        lines += ['> Quick smoke run (`--quick`): few iterations, not '
                  'representative.', '']
    capped = [f'`{n}` ({CASES[n].runs})' for n in args.names
              if CASES[n].runs is not None and CASES[n].runs < args.runs]
    fewer = (f' (fewer for the slow {", ".join(capped)})' if capped else '')
    lines += [f'teachmp vs the stdlib `multiprocessing` vs the raw OS floor: '
              f'{args.runs} samples per cell{fewer}, each in a fresh '
              f'interpreter, taken {info["date"]} on the machine below.', '']
    note = busy_note(info)
    if note:
        lines += [note, '']
    for placement, _, text in tables:
        lines += [f'## {PLACEMENT_TITLES[placement]}', '',
                  PLACEMENT_NOTES[placement], '', text, '']
    lines += [
        '## Machine', '',
        f'- CPU: {info["cpu"]}',
        f'- Cores: {info["cores"]}',
        f'- Python: {info["python"]}',
        f'- Kernel: {info["kernel"]}',
        f'- OS: {info["os"]}',
        f'- Date: {info["date"]}',
        f'- Source revision: `{info["revision"]}`',
        f'- Load average before / after: {info["load_before"]} / '
        f'{info["load_after"]}',
        f'- Wall time of the run: {info["duration"]:.0f} s', '',
        '## How to read the tables', '', HOW_TO_READ,
        '## What is measured', '', WHAT_IS_MEASURED,
        '## Raw samples', '',
        'Per implementation, in the order they were taken.', '',
        '| placement | benchmark | iterations per sample | implementation '
        '| samples |',
        '|---|---|---|---|---|',
    ]
    for placement, names, _ in tables:
        for name in names:
            for impl in impls:
                if not samples[placement, name, impl]:
                    continue                       # no floor for this one
                vals = ', '.join(fmt(v) for v in
                                 samples[placement, name, impl])
                lines.append(f'| {placement} | `{name}` | {counts[name]} '
                             f'| {impl} | {vals} |')
                if (placement, name, impl) in cpu:
                    vals = ', '.join(fmt(v) for v in
                                     cpu[placement, name, impl])
                    lines.append(f'| {placement} | `{name}` (CPU ms) '
                                 f'| {counts[name]} | {impl} | {vals} |')
    command = ' '.join(['python -m benchmarks'] + sys.argv[1:])
    lines += ['', f'Command: `{command}`', '']
    return '\n'.join(lines)
