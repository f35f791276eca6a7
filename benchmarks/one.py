"""Take ONE sample of one benchmark in this (fresh) interpreter.

    python -m benchmarks.one NAME IMPL [--count N]

IMPL is ``teachmp``, ``stdlib`` or ``floor``.  Prints one JSON line
``{"name": ..., "impl": ..., "count": ..., "value": ..., "unit": ...}``
(plus ``"cpu"``, CPU ms per process, for the start benchmarks).
The driver (``python -m benchmarks``) runs this once per sample, so that each
measurement starts from a clean process.

The module to measure as "teachmp" can be replaced with the environment
variable ``BENCH_TEACHMP_MODULE`` (the driver's ``--teachmp-module``): handy
while developing the suite before the library exists.
"""

import argparse
import importlib
import json
import os
import signal

IMPLS = ('teachmp', 'stdlib', 'floor')
SAMPLE_TIMEOUT = 240       # seconds; the driver kills us earlier anyway


def module_for(impl):
    if impl == 'teachmp':
        return os.environ.get('BENCH_TEACHMP_MODULE', 'teachmp')
    if impl == 'stdlib':
        return 'multiprocessing'
    return None


def measure(name, impl, count):
    from benchmarks.cases import CASES
    from benchmarks.helpers import pin_parent
    case = CASES[name]
    if case.pinned:
        pin_parent()
    if count is None:
        count = case.count
    if impl == 'floor':
        if case.floor is None:
            raise SystemExit(f'{name} has no OS floor')
        value = case.floor(count)
    else:
        mp = importlib.import_module(module_for(impl))
        value = case.lib(mp, count)
    result = {'name': name, 'impl': impl, 'count': count, 'unit': case.unit}
    if isinstance(value, tuple):
        result['value'], result['cpu'] = value
    else:
        result['value'] = value
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m benchmarks.one')
    parser.add_argument('name')
    parser.add_argument('impl', choices=IMPLS)
    parser.add_argument('--count', type=int, default=None)
    args = parser.parse_args(argv)
    # A last line of defence: nothing in a benchmark may hang forever.
    signal.alarm(SAMPLE_TIMEOUT)
    result = measure(args.name, args.impl, args.count)
    print(json.dumps(result), flush=True)


if __name__ == '__main__':
    main()
