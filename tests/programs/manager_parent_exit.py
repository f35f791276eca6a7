"""Start a manager and leave without shutting it down.

    python manager_parent_exit.py IMPL METHOD [hang]

IMPL is ``teachmp`` or ``stdlib``.  Prints ``manager-pid N`` then
``value 42`` and exits normally -- or, with ``hang``, waits for stdin to
close (the test kills this program instead).  The test then checks that the
manager's server process is gone.
"""

import importlib
import sys

if __name__ == '__main__':
    impl_name, method = sys.argv[1], sys.argv[2]
    mp = importlib.import_module({'teachmp': 'teachmp', 'stdlib': 'multiprocessing'}[impl_name])
    m = mp.get_context(method).Manager()
    print('manager-pid', m._process.pid, flush=True)
    v = m.Value('i', 42)
    print('value', v.value, flush=True)
    if sys.argv[3:] == ['hang']:
        sys.stdin.read()  # until killed (the test gives no stdin data)
