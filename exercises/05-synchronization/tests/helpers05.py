"""Functions the chapter 05 tests run in child processes (importable by name)."""
import os
import time


def take_one(sem, timeout):
    """Exit 0 if a unit came within ``timeout`` seconds, 1 if not."""
    os._exit(0 if sem.acquire(timeout=timeout) else 1)


def give_back(sem):
    sem.release()


def hammer(sem, rounds, guard, inside, peak, total):
    """Take and give back ``sem`` ``rounds`` times, recording how many
    processes were inside at once (``inside``/``peak``/``total`` are
    shared ints guarded by ``guard``)."""
    for _ in range(rounds):
        if not sem.acquire(timeout=20):
            raise TimeoutError('no unit within 20 s')
        with guard:
            inside.value += 1
            total.value += 1
            peak.value = max(peak.value, inside.value)
        time.sleep(0.0005)              # stay inside a little: let others try
        with guard:
            inside.value -= 1
        sem.release()


def rounds_worker(i, barrier, rounds, data, indices, parties):
    """Write my round number, meet the others, check nobody is out of step.

    Exit code 0 if every check held, 3 if a process was seen out of step.
    """
    for r in range(rounds):
        data[i] = r
        indices[r * parties + i] = barrier.wait(timeout=20)
        seen = list(data)
        # after the barrier of round r everybody has written r, and nobody
        # can be further than round r + 1 (they would need us at the next one)
        if min(seen) < r or max(seen) > r + 1:
            os._exit(3)
    os._exit(0)


def describe_exit_codes(codes):
    """What the exit codes of rounds_worker processes say, in words."""
    meaning = {3: 'passed the barrier too early (saw another process out of step)',
               1: 'raised an exception (its traceback is in the captured stderr)',
               None: 'was still running after 60 s (stuck in wait()?)'}
    parts = []
    for code in sorted(set(codes) - {0}, key=str):
        what = meaning.get(code, f'was killed by signal {-code}' if isinstance(code, int)
                           and code < 0 else f'exited with {code}')
        parts.append(f'{codes.count(code)} process(es) {what}')
    return f'exit codes {codes}: ' + '; '.join(parts)


def wait_once(barrier, timeout):
    """Exit 0 after one successful wait, 4 on TimeoutError."""
    try:
        barrier.wait(timeout=timeout)
    except TimeoutError:
        os._exit(4)
    os._exit(0)
