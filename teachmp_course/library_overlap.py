"""Which exercises the library itself answers, and what a course does about it.

A ``classroom export`` copies the ``teachmp`` package into the students'
repository, because ``python -m teachmp grade`` and ``--mp teachmp`` run on
it.  Several exercises ask a student to build a piece that the library
contains: 05.3's barrier "from a Condition and two shared ints" is, nearly
line for line, ``teachmp/condition.py``'s ``Barrier``.

The decision, made once per exercise below: **reading the library is
allowed**.  The module stays in the export, for two reasons.  The chapter
the exercise belongs to prints that very code (``literalinclude`` of the
function, on the site), so leaving the file out would hide nothing a
student has not already read; and the library imports its modules from one
another (``Barrier`` lives beside ``Condition``, which ``Queue`` and
``Pool`` use), so an export without one would not run.  What the tests ask
for is the student's own build of the idea; each exercise's tests exercise
the student's file, not the library.  The teacher's page (docs/teachers.md)
lists the same table; tests/test_classroom_overlap.py keeps the three (this
table, the library, the page) in step.

``OVERLAP[marker]`` is ``(module, name)`` of the library's counterpart of the
exercise, or ``None`` when the library has none (an exercise that uses the
library, or measures, or fixes a program).
"""

OVERLAP = {
    'ex01_1': None,                                     # uses Process
    'ex01_2': ('teachmp/popen_fork.py', 'Popen'),
    'ex02_1': None,                                     # observes the start methods
    'ex02_2': ('teachmp/spawn.py', 'main'),
    'ex02_3': ('teachmp/forkserver.py', 'ForkServer'),
    'ex03_1': ('teachmp/pool.py', 'Pool'),              # another design (queues)
    'ex03_2': ('teachmp/connection.py', 'Connection'),
    'ex04_1': ('teachmp/queues.py', 'Queue'),
    'ex04_2': None,                                     # uses Queue
    'ex04_3': None,                                     # predicts a timeline
    'ex05_1': None,                                     # the library's semaphore is not a pipe
    'ex05_2': None,                                     # uses Value and Lock
    'ex05_3': ('teachmp/condition.py', 'Barrier'),
    'ex06_1': None,                                     # uses Array
    'ex06_2': ('teachmp/heap.py', 'Heap'),
    'ex07_1': None,                                     # uses BaseManager
    'ex07_2': None,                                     # uses BaseManager
    'ex08_1': ('teachmp/pool_results.py', 'IMapUnorderedIterator'),
    'ex08_2': None,                                     # uses Pool
    'ex09_1': ('teachmp/auth.py', 'deliver_challenge'),
    'ex09_2': None,                                     # uses Listener and Client
    'ex10_1': None,                                     # uses logging's handlers
    'ex10_2': ('teachmp/log.py', '_process_name_filter'),
    'ex11_1': None,                                     # fixes a program
    'ex12_1': None,                                     # runs on other engines
}


def counterparts():
    """[(marker, module, name)] of the exercises the library answers."""
    return [(marker, *where) for marker, where in OVERLAP.items() if where]
