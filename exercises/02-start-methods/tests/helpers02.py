"""Functions the chapter 02 tests run in child processes (importable by name)."""
import sys

SETTING = 'module default'


def read_setting():
    return SETTING


def fail(message):
    raise ValueError(message)


def chatty(value):
    """Print a lot, then return value: printing must not spoil the result."""
    for i in range(1000):
        print('chatter', i)
    sys.stdout.flush()
    return value


def big(n):
    return b'x' * n


def main_module_name():
    return sys.modules['__main__'].__name__


def call_and_send(conn, func, args):
    """Run func(*args) in a child and send the result back over conn."""
    conn.send(func(*args))
    conn.close()


def write_pid_and_sleep(path):
    with open(path, 'w') as f:
        f.write(str(__import__('os').getpid()))
    __import__('time').sleep(60)


def exit_now(code):
    """End the process at once, without answering (os._exit itself may be
    wrapped by a tool such as coverage, and then cannot be pickled)."""
    __import__('os')._exit(code)


def has_module(name):
    return name in sys.modules


def parent_pid():
    return __import__('os').getppid()


def own_pid():
    return __import__('os').getpid()


def send_back(conn, func, args):
    """For a stdlib Process: send func(*args) (an exception is sent, too)."""
    try:
        conn.send(func(*args))
    except Exception as exc:
        conn.send(exc)
    conn.close()
