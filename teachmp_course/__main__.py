"""``python -m teachmp_course``: the same commands as ``python -m teachmp``, minus ``run``."""
import sys

from teachmp_course import cli

if __name__ == '__main__':
    sys.exit(cli.main())
