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
        with self._cond:
            index = self._state[0]
            generation = self._state[1]
            if index + 1 == self.parties:           # the last one opens it
                self._state[0] = 0
                self._state[1] = generation + 1
                self._cond.notify_all()
                return index
            self._state[0] = index + 1
            if not self._cond.wait_for(lambda: self._state[1] != generation, timeout):
                self._state[0] -= 1
                raise TimeoutError('barrier: %d of %d arrived' % (self._state[0] + 1, self.parties))
            return index

    @property
    def n_waiting(self):
        """How many processes are waiting in the current round."""
        with self._cond:
            return self._state[0]
