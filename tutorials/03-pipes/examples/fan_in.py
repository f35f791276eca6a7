"""Fan-in: one parent waits on several workers' pipes at once with wait().

Each worker gets its own one-way pipe and sends a few results.  The parent
does not know who will speak next, so it asks wait() which readers are ready
and reads from those.  A reader whose writer has closed raises EOFError and
is dropped from the list.  Finally wait() is used again on the process
sentinels, which become ready when a process ends.
"""
import multiprocessing as mp
from multiprocessing.connection import wait


def worker(number, writer, unused):
    for reader in unused:           # readers are the parent's business
        reader.close()
    for step in range(3):
        writer.send((number, step, number * 10 + step))
    writer.close()


if __name__ == '__main__':
    readers, procs = [], []
    for number in range(4):
        reader, writer = mp.Pipe(duplex=False)
        readers.append(reader)
        p = mp.Process(target=worker, args=(number, writer, readers))
        p.start()
        writer.close()               # only the worker may keep the write end
        procs.append(p)

    results = []
    waiting = list(readers)
    while waiting:
        ready = wait(waiting, timeout=10)
        if not ready:
            raise SystemExit('nobody spoke for 10 s: giving up')
        for reader in ready:
            try:
                results.append(reader.recv())
            except EOFError:         # that worker is finished
                waiting.remove(reader)
                reader.close()

    # Arrival order depends on scheduling, so print the results sorted.
    print(len(results), 'results')
    for number, step, value in sorted(results):
        print(f'worker {number} step {step}: {value}')

    sentinels = {p.sentinel: p for p in procs}
    while sentinels:
        for s in wait(list(sentinels), timeout=10):
            sentinels.pop(s).join()
    print('exit codes:', [p.exitcode for p in procs])
