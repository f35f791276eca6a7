"""Exercise 04.3: predict, then look.

``program(mp)`` in ``tests/program04_3.py`` is the queue-join deadlock of
chapter 04, with a timeout on the first ``join`` so that it ends.  Before
you run it, decide in which order these six moments happen, and return
their names, earliest first, from ``prediction()``:

    'child: put returns'          the child's q.put() of one megabyte returns
    'parent: join(1) gives up'    the parent's first p.join(timeout=1) returns
    'parent: get begins'          the parent calls q.get()
    'feeder: send finishes'       the child's feeder thread has written the item
    'child: exits'                the child process is done
    'parent: join returns'        the parent's second p.join() returns

Then look: record the program and draw it,

    python -m teachmp trace -o queue.json tests/program04_3.py
    python -m teachmp trace show queue.json      # open queue.html

and compare the picture with what you wrote.  The tests record the program
the same way and check your order against the recording.
"""
EVENTS = (
    'child: exits',
    'feeder: send finishes',
    'parent: get begins',
    'parent: join returns',
    'child: put returns',
    'parent: join(1) gives up',
)


def prediction():
    """The names of EVENTS, in the order they happen."""
    raise NotImplementedError('exercise 04.3: prediction()')

