"""teachmp_course: the course tools that come with teachmp (not the library).

``teachmp`` is the library: a re-implementation of ``multiprocessing``.
This sibling package holds what a student and a teacher run around it:

* ``workspace``: where the exercises are (a checkout's ``exercises/``, the
  copy packed into an installed wheel, or a student's copy) and how chapters
  and exercises are named;
* ``grading``: ``exercises check`` and ``grade`` (pytest in a child process,
  JUnit XML, the JSON summary, the scoring rule);
* ``classroom``: ``exercises start`` (a student's copy) and ``classroom
  export`` (a GitHub Classroom assignment repository);
* ``cli``: the argparse commands.  ``python -m teachmp exercises ...``
  forwards here, and so does ``python -m teachmp_course``.

The library never imports this package (``tests/test_layers.py`` and
``tests/test_course_package.py`` check), so under ``python -m teachmp run``
``import multiprocessing.grading`` fails as it does with the stdlib.
Only the standard library is imported here; pytest runs in a child process.
"""
