"""Fix: send a module-level function (pickled by its name) or plain data."""
import multiprocessing as mp


def square(x):
    return x * x


if __name__ == '__main__':
    a, b = mp.Pipe()
    a.send(square)                    # pickled as a reference: module + name
    f = b.recv()
    print('received', f.__name__, '->', f(7))
    a.send(('square', 7))             # or send data and decide on the other side
    print('received', b.recv())
