"""Helpers for the chapter 09 tests."""
import threading


class Background:
    """Run func(*args) in a daemon thread; finish() returns its result or
    raises what it raised.  A thread still blocked when a test fails ends
    with the test process (pytest-timeout stops a test that hangs)."""

    def __init__(self, func, *args):
        self.result = self.error = None
        self.thread = threading.Thread(target=self._run, args=(func, args), daemon=True)
        self.thread.start()

    def _run(self, func, args):
        try:
            self.result = func(*args)
        except BaseException as exc:
            self.error = exc

    def finish(self, timeout=10):
        self.thread.join(timeout)
        assert not self.thread.is_alive(), 'the other side is still blocked'
        if self.error is not None:
            raise self.error
        return self.result


def wait_for_message(conn, worker, timeout=10):
    """Wait until ``conn`` has a message; if ``worker`` (a Background) ends
    first -- with an error, say -- re-raise its error at once."""
    for _ in range(int(timeout / 0.01)):
        if conn.poll(0.01):
            return True
        if not worker.thread.is_alive():
            worker.finish()
            return conn.poll(0)
    return False
