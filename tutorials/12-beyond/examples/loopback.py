"""Run pi_server.py and pi_client.py as separate programs on one machine.

The server listens on 127.0.0.1, port 0 (the system picks a free port) and
prints its address; two "worker hosts" and one "collector" connect to it.
Nothing secret is printed: not the key, not even the port.
"""
import multiprocessing as mp
import os
import secrets
import select
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Run the programs on the implementation this script runs on: plain Python
# for the stdlib, `python -m teachmp run` when "multiprocessing" is teachmp.
PYTHON = [sys.executable]
if mp.__name__ == 'teachmp':
    PYTHON += ['-m', 'teachmp', 'run']


def program(name, *args, key):
    env = dict(os.environ, PI_AUTHKEY=key)
    return subprocess.Popen(PYTHON + [os.path.join(HERE, name), *args],
                            cwd=HERE, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


if __name__ == '__main__':
    key = secrets.token_hex(32)        # both sides must know it; never print it
    server = program('pi_server.py', '--host', '127.0.0.1', '--port', '0', key=key)
    ready, _, _ = select.select([server.stdout], [], [], 30)
    if not ready:
        server.kill()
        raise SystemExit('the server did not start')
    _, _, host, port = server.stdout.readline().split()
    print('server is listening on', host)

    workers = [program('pi_client.py', 'work', '--port', port, key=key)
               for _ in range(2)]     # two "hosts", running at the same time
    total = 0
    for w in workers:
        out, err = w.communicate(timeout=60)
        total += int(out.split()[2])   # "worked on N tasks"
    print('the two workers did', total, 'tasks between them')

    collector = program('pi_client.py', 'collect', '--port', port, key=key)
    out, err = collector.communicate(timeout=60)
    print(out, end='')

    intruder = program('pi_client.py', 'collect', '--port', port,
                       key='a guessed key')
    out, err = intruder.communicate(timeout=60)
    print('wrong key refused:', 'AuthenticationError' in err,
          '- exit code', intruder.returncode)

    server.communicate(input='', timeout=30)     # close its stdin: stop
    print('server exit code:', server.returncode)
