"""A 'c' array: .value stops at the first zero byte, .raw is every byte."""
import multiprocessing as mp


def shorten(buf):
    buf.value = b'hi'                   # writes b'hi' and one zero byte


if __name__ == '__main__':
    buf = mp.Array('c', b'hello world')
    print(len(buf), buf.value, buf.raw)
    child = mp.Process(target=shorten, args=(buf,))
    child.start()
    child.join()
    print(len(buf), buf.value, buf.raw)
    buf.raw = b'HELLO WORLD'            # .raw must fit: at most len(buf) bytes
    print(buf.value)
