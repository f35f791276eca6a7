"""Exercise 05.3: a reusable barrier built from a Condition and two shared ints.

Uses: multiprocessing.Condition (wait_for, notify_all), multiprocessing.RawArray.
"""
import multiprocessing as mp


class CondBarrier:
    """``parties`` processes call ``wait()``; nobody returns before all have."""

    def __init__(self, parties):
        """Given: the condition and the shared state.

        ``self._state[0]`` is the number of processes waiting in the current
        round, ``self._state[1]`` the round number (the *generation*).
        """
        if parties < 1:
            raise ValueError('parties must be >= 1')
        self.parties = parties
        self._cond = mp.Condition()
        self._state = mp.RawArray('i', 2)

    def wait(self, timeout=None):
        """Wait until ``parties`` processes have called ``wait()`` in this round.

        Return the caller's arrival index in the round: 0 for the first, ...,
        ``parties - 1`` for the last, which opens the barrier (it starts the
        next round and wakes everybody).  A waiter must not be fooled by a
        wake-up that did not open *its* round: compare generations.  If
        ``timeout`` seconds pass first, leave the round (no longer counted
        as waiting) and raise ``TimeoutError``.
        """
        raise NotImplementedError('exercise 05.3: CondBarrier.wait()')

    @property
    def n_waiting(self):
        """How many processes are waiting in the current round."""
        raise NotImplementedError('exercise 05.3: CondBarrier.n_waiting')
