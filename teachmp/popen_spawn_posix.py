"""The stdlib's name for the POSIX spawn Popen, kept for code that imports it.

CPython has one Popen module per start method and platform
(``popen_spawn_posix``, ``popen_spawn_win32``...).  teachmp has one spawn
Popen, in ``teachmp.popen_spawn``; libraries such as Dask ``distributed``
import ``multiprocessing.popen_spawn_posix`` directly, so under
``python -m teachmp run`` that name must exist too.
"""

from teachmp.popen_spawn import Popen  # noqa: F401

__all__ = ['Popen']
