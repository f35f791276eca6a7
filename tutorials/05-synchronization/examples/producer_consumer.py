"""A bounded buffer in shared memory, guarded by one Condition.

The producer waits while the buffer is full, the consumer while it is
empty; each tells the other when it has changed the buffer.
"""
import multiprocessing as mp

SIZE = 4            # slots in the ring buffer
ITEMS = 12          # how many numbers travel through it
DONE = -1           # the producer's last item: "no more"


def produce(cond, slots, state):
    # state[0]: index of the next slot to fill, state[1]: items in the buffer
    for item in list(range(ITEMS)) + [DONE]:
        with cond:
            cond.wait_for(lambda: state[1] < SIZE, timeout=10)
            slots[state[0]] = item
            state[0] = (state[0] + 1) % SIZE
            state[1] += 1
            cond.notify()           # the consumer may be waiting for "not empty"


def consume(cond, slots, state, results):
    taken = 0                       # index of the next slot to empty
    while True:
        with cond:
            cond.wait_for(lambda: state[1] > 0, timeout=10)
            item = slots[taken]
            taken = (taken + 1) % SIZE
            state[1] -= 1
            cond.notify()           # the producer may be waiting for "not full"
        if item == DONE:
            return
        results.send(item * item)


if __name__ == '__main__':
    cond = mp.Condition()                   # with a fresh RLock inside
    slots = mp.RawArray('i', SIZE)          # shared memory (chapter 06)
    state = mp.RawArray('i', 2)
    reader, writer = mp.Pipe(duplex=False)
    producer = mp.Process(target=produce, args=(cond, slots, state))
    consumer = mp.Process(target=consume, args=(cond, slots, state, writer))
    producer.start()
    consumer.start()
    writer.close()
    squares = []
    while True:
        try:
            squares.append(reader.recv())
        except EOFError:                    # the consumer has finished
            break
    producer.join()
    consumer.join()
    print('squares:', squares)
    print('exit codes:', producer.exitcode, consumer.exitcode)
