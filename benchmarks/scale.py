"""``python -m benchmarks.scale``: measure the scaling series, table and plot them.

    python -m benchmarks.scale                 every series, 3 runs (make bench)
    python -m benchmarks.scale --runs 5
    python -m benchmarks.scale --only lock_contention,value_contention
    python -m benchmarks.scale --quick         tiny sizes, a smoke run
    python -m benchmarks.scale --replot benchmarks/scaling.json

Each point of each curve is measured in a fresh interpreter
(``python -m benchmarks.scale --point NAME X IMPL``), for teachmp, the stdlib
and the OS floor in the same run.  Rounds are interleaved as in
``python -m benchmarks``: round *k* measures every point on every
implementation, rotating their order, so load that comes and goes on a
shared machine hits all the columns alike.  Each cell is the median of the
runs, with the smallest and largest.

Writes ``benchmarks/scaling.json`` (every sample), ``benchmarks/scaling.md``
(every point: teachmp, stdlib, floor, cost ratio, verdict), the section of
``benchmarks/results.md`` that shows the same table, and the plots
``docs/img/bench/NAME.svg`` / ``NAME.ja.svg``.  ``--only`` merges its series
into the existing JSON, so one curve can be re-measured alone.
"""

import argparse
import importlib
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
JSON_PATH = os.path.join(HERE, 'scaling.json')
MD_PATH = os.path.join(HERE, 'scaling.md')
RESULTS_PATH = os.path.join(HERE, 'results.md')
IMG_DIR = os.path.join(ROOT, 'docs', 'img', 'bench')
IMPLS = ('teachmp', 'stdlib', 'floor')
POINT_TIMEOUT = 300          # seconds for one point, then it is killed


# -- one point, in this fresh interpreter ------------------------------------------

def measure_point(name, x, impl, quick=False):
    from benchmarks.scaling import SERIES
    series = SERIES[name]
    if impl == 'floor':
        if series.floor is None:
            raise SystemExit(f'{name} has no OS floor')
        return series.floor(x, quick)
    module = (os.environ.get('BENCH_TEACHMP_MODULE', 'teachmp')
              if impl == 'teachmp' else 'multiprocessing')
    return series.lib(importlib.import_module(module), x, quick)


def take_point(name, x, impl, quick, env):
    """Run one point in a fresh interpreter; its result dict, or an error."""
    cmd = [sys.executable, '-m', 'benchmarks.scale', '--point', name, str(x),
           impl]
    if quick:
        cmd.append('--quick')
    # A session of its own: a timeout ends the point and its children only.
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=POINT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {'error': f'no result after {POINT_TIMEOUT} s'}
    if proc.returncode:
        lines = err.strip().splitlines()
        return {'error': lines[-1] if lines else f'exit code {proc.returncode}'}
    return json.loads(out.strip().splitlines()[-1])


# -- the run -----------------------------------------------------------------------

def run_series(names, runs, quick, env=None, log=None):
    """Measure the series; {name: {'xs', 'samples': {impl: {x: [...]}}, 'errors'}}."""
    from benchmarks.scaling import SERIES
    env = dict(os.environ if env is None else env)
    env.setdefault('PYTHONPATH', ROOT)
    data = {}
    for name in names:
        s = SERIES[name]
        impls = [i for i in IMPLS if i != 'floor' or s.floor is not None]
        xs = list(s.quick_xs if quick else s.xs)
        data[name] = {'xs': xs, 'impls': impls, 'errors': {},
                      'samples': {i: {str(x): [] for x in xs} for i in impls}}
    started = time.time()
    for r in range(runs):
        for name in names:
            entry = data[name]
            impls = entry['impls']
            order = impls[r % len(impls):] + impls[:r % len(impls)]
            for x in entry['xs']:
                for impl in order:
                    if f'{impl} {x}' in entry['errors']:
                        continue                   # failed before: skip
                    got = take_point(name, x, impl, quick, env)
                    if 'error' in got:
                        entry['errors'][f'{impl} {x}'] = got['error']
                        if log:
                            log(f'{name} x={x} {impl}: {got["error"]}')
                        continue
                    entry['samples'][impl][str(x)].append(got)
        if log:
            log(f'round {r + 1}/{runs} done ({time.time() - started:.0f} s)')
    return data


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def save(path, doc):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write('\n')


def write_outputs(doc, md_path, img_dir, results_path=None):
    """scaling.md, the plots, and the section of results.md; returns paths."""
    from benchmarks import scale_plot, scale_report
    os.makedirs(os.path.dirname(os.path.abspath(md_path)), exist_ok=True)
    text = scale_report.document(doc)
    with open(md_path, 'w', encoding='utf-8') as f:
        f.write(text)
    written = [md_path]
    if results_path and os.path.exists(results_path):
        scale_report.update_results(results_path, doc)
        written.append(results_path)
    written += scale_plot.plot_all(doc, img_dir)
    return written


def parse_args(argv):
    from benchmarks.scaling import SERIES
    p = argparse.ArgumentParser(prog='python -m benchmarks.scale',
                                description='scaling series: teachmp vs stdlib '
                                            'vs the OS floor')
    p.add_argument('--point', nargs=3, metavar=('NAME', 'X', 'IMPL'),
                   help=argparse.SUPPRESS)     # one point (internal)
    p.add_argument('--runs', type=int, default=None,
                   help='samples per point and implementation (default 3, '
                        '--quick 1)')
    p.add_argument('--quick', action='store_true',
                   help='tiny sizes: a smoke run, nothing saved unless '
                        '--json/--md/--img-dir say where')
    p.add_argument('--only', action='append', metavar='NAME[,NAME...]',
                   help='measure only these series and merge them into the '
                        f'existing JSON; one of: {", ".join(SERIES)}')
    p.add_argument('--replot', metavar='JSON',
                   help='measure nothing: redraw the plots and rewrite the '
                        'tables from this JSON')
    p.add_argument('--json', default=None, help=f'default {os.path.relpath(JSON_PATH)}')
    p.add_argument('--md', default=None, help=f'default {os.path.relpath(MD_PATH)}')
    p.add_argument('--img-dir', default=None, help=f'default {os.path.relpath(IMG_DIR)}')
    p.add_argument('--results', default=None,
                   help='results.md whose scaling section to update (default '
                        f'{os.path.relpath(RESULTS_PATH)}; "-" for none)')
    args = p.parse_args(argv)
    names = []
    for item in args.only or []:
        names += [n.strip() for n in item.split(',') if n.strip()]
    unknown = [n for n in names if n not in SERIES]
    if unknown:
        p.error(f'unknown series {unknown[0]!r}; choose from {", ".join(SERIES)}')
    args.names = names or list(SERIES)
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.runs < 1:
        p.error('--runs must be at least 1')
    saving = not args.quick or args.json or args.md or args.img_dir
    args.json = args.json or (JSON_PATH if saving else None)
    args.md = args.md or (MD_PATH if saving else None)
    args.img_dir = args.img_dir or (IMG_DIR if saving else None)
    if args.results is None:
        args.results = RESULTS_PATH if not args.quick else '-'
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.point:
        name, x, impl = args.point
        signal.alarm(POINT_TIMEOUT - 10)           # never hang forever
        result = measure_point(name, int(x), impl, args.quick)
        print(json.dumps(result), flush=True)
        return 0
    results = None if args.results == '-' else args.results
    if args.replot:
        doc = load(args.replot)
        for path in write_outputs(doc, args.md or MD_PATH,
                                  args.img_dir or IMG_DIR, results):
            print(f'wrote {os.path.relpath(path)}', file=sys.stderr)
        return 0

    from benchmarks import report
    from benchmarks.__main__ import precompile, teachmp_available
    ok, why, package_dir = teachmp_available('teachmp')
    if not ok:
        print(f'teachmp is not usable: {why}', file=sys.stderr)
        return 1
    precompile(HERE, package_dir)
    info = report.machine_info()
    started = time.time()

    def log(text):
        print(text, file=sys.stderr, flush=True)
    data = run_series(args.names, args.runs, args.quick, log=log)
    info['duration'] = time.time() - started
    info['load_after'] = report.loadavg()
    command = ' '.join(['python -m benchmarks.scale'] + (argv if argv is not None
                                                         else sys.argv[1:]))
    run = {'info': info, 'runs': args.runs, 'quick': args.quick,
           'command': command, 'series': args.names}
    doc = {'runs': [], 'series': {}}
    if args.json and args.only and os.path.exists(args.json):
        doc = load(args.json)                      # merge into the last run
    for name, entry in data.items():
        entry['run'] = len(doc['runs'])
        doc['series'][name] = entry
    doc['runs'].append(run)
    if args.json:
        save(args.json, doc)
        log(f'wrote {os.path.relpath(args.json)}')
    from benchmarks import scale_report
    print(scale_report.table(doc, args.names))
    if args.md:
        for path in write_outputs(doc, args.md, args.img_dir, results):
            log(f'wrote {os.path.relpath(path)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
