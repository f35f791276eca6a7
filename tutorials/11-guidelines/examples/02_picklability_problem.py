"""Guideline: everything sent to another process must pickle."""
import multiprocessing as mp

if __name__ == '__main__':
    a, b = mp.Pipe()
    square = lambda x: x * x          # a lambda has no importable name
    try:
        a.send(square)
    except Exception as exc:
        print('send(lambda) failed:', isinstance(exc, Exception))
    print('anything arrived:', b.poll(0.2))
