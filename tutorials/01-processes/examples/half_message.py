"""terminate() in the middle of a send leaves half a message in the pipe."""
import array
import fcntl
import termios
import time
import multiprocessing as mp


def send_big(conn):
    conn.send_bytes(b'x' * 10_000_000)   # blocks once the pipe's buffer is full


def bytes_in_pipe(conn):
    count = array.array('i', [0])
    fcntl.ioctl(conn.fileno(), termios.FIONREAD, count)
    return count[0]


if __name__ == '__main__':
    reader, writer = mp.Pipe(duplex=False)
    p = mp.Process(target=send_big, args=(writer,))
    p.start()
    writer.close()            # only the child holds the write end now
    deadline = time.monotonic() + 10
    while bytes_in_pipe(reader) <= 4 and time.monotonic() < deadline:
        time.sleep(0.01)      # wait until the 4-byte header and some data are in
    p.terminate()             # ... and stop the child in the middle of its send
    p.join()
    print('exitcode:', p.exitcode)
    try:
        reader.recv_bytes()
    except (EOFError, OSError) as e:
        print(f'the reader gets {type(e).__name__}: {e}')
    reader.close()
