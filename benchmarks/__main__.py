"""``python -m benchmarks``: run the suite and print (and save) the table.

    python -m benchmarks                  full run, rewrites benchmarks/results.md
    python -m benchmarks --quick          smoke run: few iterations, nothing saved
    python -m benchmarks --only pipe_roundtrip [--only pipe_stream]
    python -m benchmarks --runs 9 --output /tmp/results.md

Samples are interleaved: round 1 measures every benchmark on every
implementation, then round 2 does it again, and so on, with the order of the
implementations rotated each round.  Load that comes and goes on a shared
machine then hits all three columns alike instead of one of them.

Every sample is pinned (see ``benchmarks.cases.pin_parent``): by default the
suite runs twice over, once with parent and child on the same CPU ("one
core", stable, where the targets are judged) and once, for the pipe
benchmarks, with them on two different CPUs ("two cores").
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

from benchmarks import report
from benchmarks.cases import CASES
from benchmarks.one import IMPLS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_OUTPUT = os.path.join(HERE, 'results.md')
SAMPLE_TIMEOUT = 180          # seconds for one sample, then it is killed


def teachmp_available(module):
    """Can a fresh interpreter import the library and find what we need?

    Returns (ok, why, directory of the package).
    """
    code = (f'import {module} as m; m.Process; m.Pipe; m.get_context("fork"); '
            f'm.get_context("spawn"); print(m.__file__)')
    try:
        proc = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False, 'importing it took more than 60 s', None
    if proc.returncode:
        lines = proc.stderr.strip().splitlines()
        why = lines[-1] if lines else f'exit code {proc.returncode}'
        return False, why, None
    return True, '', os.path.dirname(proc.stdout.strip().splitlines()[-1])


def precompile(*directories):
    """Write the .pyc files of teachmp and of the suite before measuring.

    The stdlib's bytecode was compiled when Python was installed.  Without
    this, a checkout that has never been imported (or an environment with
    PYTHONDONTWRITEBYTECODE=1) would make every fresh interpreter compile
    teachmp from source -- several ms per spawned child that have nothing to
    do with teachmp's design.
    """
    import compileall
    for directory in directories:
        if directory and not compileall.compile_dir(directory, quiet=2):
            print(f'note: could not precompile {directory}', file=sys.stderr)


PLACEMENTS = ('same', 'split', 'none')


def take_sample(name, impl, count, env):
    """Run benchmarks.one in a fresh interpreter; return its JSON result."""
    cmd = [sys.executable, '-m', 'benchmarks.one', name, impl]
    if count is not None:
        cmd += ['--count', str(count)]
    # A session of its own, so that a timeout can end the sample *and* any
    # child it left behind -- and nothing else.
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=SAMPLE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError(f'{name}/{impl}: no result after {SAMPLE_TIMEOUT} s')
    if proc.returncode:
        raise RuntimeError(f'{name}/{impl} failed (exit code {proc.returncode}):'
                           f'\n{err.strip()}')
    return json.loads(out.strip().splitlines()[-1])


def usable_cpus():
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:                         # not Linux
        return list(range(os.cpu_count() or 1))


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='python -m benchmarks',
        description='teachmp vs stdlib multiprocessing vs the raw OS floor')
    parser.add_argument('--quick', action='store_true',
                        help='smoke run: few iterations and runs; the table '
                             'is printed but not saved unless --output is given')
    parser.add_argument('--only', action='append', metavar='NAME',
                        help='run only this benchmark (repeatable, or '
                             f'comma-separated); one of: {", ".join(CASES)}')
    parser.add_argument('--runs', type=int, default=None,
                        help='samples per benchmark and implementation '
                             '(default 9, --quick 3; a few slow benchmarks '
                             'cap it, see Case.runs)')
    parser.add_argument('--count', type=int, default=None,
                        help='iterations inside each sample, overriding every '
                             "benchmark's own default")
    parser.add_argument('--placement', default=None,
                        help='comma-separated CPU placements to run: same '
                             '(parent and child pinned to one CPU), split '
                             '(pinned to two CPUs; pipe benchmarks only), '
                             'none (not pinned). Default: same,split '
                             '(--quick: same)')
    parser.add_argument('--output', default=None,
                        help=f'where to write the Markdown report (default '
                             f'{os.path.relpath(DEFAULT_OUTPUT)} for a full '
                             'run, nowhere for --quick)')
    parser.add_argument('--teachmp-module', default='teachmp',
                        help='module measured in the teachmp column (only for '
                             'developing the suite; the report says so)')
    args = parser.parse_args(argv)
    names = []
    for item in args.only or []:
        names += [n.strip() for n in item.split(',') if n.strip()]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f'unknown benchmark {unknown[0]!r}; choose from '
                     f'{", ".join(CASES)}')
    args.names = names or list(CASES)
    if args.runs is None:
        args.runs = 3 if args.quick else 9
    if args.runs < 1:
        parser.error('--runs must be at least 1')
    placement = args.placement or ('same' if args.quick else 'same,split')
    args.placements = [p.strip() for p in placement.split(',') if p.strip()]
    bad = [p for p in args.placements if p not in PLACEMENTS]
    if bad or not args.placements:
        parser.error(f'--placement: choose from {", ".join(PLACEMENTS)}')
    if args.output is None and not args.quick:
        args.output = DEFAULT_OUTPUT
    return args


def main(argv=None):
    args = parse_args(argv)
    env = dict(os.environ, BENCH_TEACHMP_MODULE=args.teachmp_module)
    ok, why, package_dir = teachmp_available(args.teachmp_module)
    precompile(HERE, package_dir if args.teachmp_module != 'multiprocessing'
               else None)
    impls = list(IMPLS) if ok else [i for i in IMPLS if i != 'teachmp']
    if not ok:
        print(f'note: {args.teachmp_module} is not usable yet ({why}); '
              'its column is left empty', file=sys.stderr)

    placements = list(args.placements)
    if 'split' in placements and len(usable_cpus()) < 2:
        print('note: only one usable CPU, skipping the two-core placement',
              file=sys.stderr)
        placements.remove('split')
    plan = [(pl, name) for pl in placements for name in args.names
            if pl != 'split' or CASES[name].two_cores]

    started = time.time()
    info = report.machine_info()
    samples = {(pl, n, i): [] for pl, n in plan for i in impls}
    cpu = {}                    # CPU ms per process, start benchmarks only
    for r in range(args.runs):
        for placement, name in plan:
            case = CASES[name]
            count = args.count or (case.quick if args.quick else None)
            # Rotate the implementations' order, and the CPU used, per round.
            if case.runs is not None and r >= case.runs:
                continue                           # a slow one: fewer runs
            order = impls[r % len(impls):] + impls[:r % len(impls)]
            env.update(BENCH_PLACEMENT=placement, BENCH_CPU=str(r))
            for impl in order:
                if impl == 'floor' and case.floor is None:
                    continue
                result = take_sample(name, impl, count, env)
                samples[placement, name, impl].append(result['value'])
                if 'cpu' in result:
                    cpu.setdefault((placement, name, impl), []).append(
                        result['cpu'])
        print(f'round {r + 1}/{args.runs} done '
              f'({time.time() - started:.0f} s)', file=sys.stderr, flush=True)
    info['duration'] = time.time() - started
    info['load_after'] = report.loadavg()

    tables = []
    for placement in placements:
        names = [n for pl, n in plan if pl == placement]
        text = report.table(names, samples, placement)
        cpu_names = [n for n in names if (placement, n, impls[0]) in cpu]
        if cpu_names:
            text += '\n\n' + report.cpu_table(cpu_names, cpu, placement)
        tables.append((placement, names, text))
    for placement, _, text in tables:
        print(f'\n{report.PLACEMENT_TITLES[placement]}\n\n{text}')
    if args.output:
        text = report.document(args, info, tables, samples, cpu, impls,
                               teachmp_note='' if ok else why)
        # The scaling series (python -m benchmarks.scale, run after this by
        # `make bench`) keep their section of the file: a point run alone
        # must not throw the curves' table away.
        from benchmarks.scale_report import keep_section
        kept = keep_section(args.output)
        if kept:
            text = text.rstrip('\n') + '\n\n' + kept
        with open(args.output, 'w', encoding='utf-8') as f:
            f.write(text)
        print(f'wrote {os.path.relpath(args.output)}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
