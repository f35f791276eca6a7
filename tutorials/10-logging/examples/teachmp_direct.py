"""Why teachmp's logger has a filter: a program that imports teachmp itself
(no `python -m teachmp run`, so sys.modules has no 'multiprocessing').
"""
# example: skip "imports teachmp directly, to show what logging sees without the alias"
import logging
import sys

import teachmp

FORMAT = '%(processName)-11s %(name)-8s %(message)s'


def child():
    logging.getLogger('app').warning('from the child, own logger')
    teachmp.get_logger().warning('from the child, teachmp logger')


if __name__ == '__main__':
    logging.basicConfig(stream=sys.stdout, format=FORMAT)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(FORMAT))
    teachmp.get_logger().addHandler(handler)
    print('multiprocessing' in sys.modules)
    p = teachmp.Process(target=child, name='Worker')
    p.start()
    p.join()
