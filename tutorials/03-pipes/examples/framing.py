"""Look at the bytes a Connection writes, and write a frame by hand.

One end of a socketpair is a Connection; the other end stays a raw socket,
so we can see exactly what travels between them.
"""
import socket
import struct
from multiprocessing.connection import Connection


def read_exactly(sock, n):
    # A stream socket may hand the bytes over in pieces: loop until n arrived.
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(sock):
    header = read_exactly(sock, 4)
    (size,) = struct.unpack('!i', header)   # 4 bytes, big-endian, signed
    return header + read_exactly(sock, size)


def show(label, data):
    print(f'{label:<22} {data.hex(" ")}')


if __name__ == '__main__':
    raw, other = socket.socketpair()
    conn = Connection(other.detach())      # a Connection owns the fd now
    raw.settimeout(5)

    conn.send_bytes(b'hello')
    show("send_bytes(b'hello')", read_frame(raw))

    conn.send_bytes(b'')
    show("send_bytes(b'')", read_frame(raw))

    conn.send(7)                           # pickled: protocol header, int, STOP
    show('send(7)', read_frame(raw))

    conn.send_bytes(bytes(300))
    frame = read_frame(raw)
    print('send_bytes(bytes(300))', 'header', frame[:4].hex(' '),
          '=', struct.unpack('!i', frame[:4])[0], 'then', len(frame) - 4, 'bytes')

    # The other direction: frames we build by hand, read by the Connection.
    raw.sendall(struct.pack('!i', 3) + b'abc')
    print('hand-made short frame ->', conn.recv_bytes())
    # The long form (-1, then an 8-byte length) is only *sent* for messages
    # above 0x7fffffff bytes, but a reader accepts it for any size.
    raw.sendall(struct.pack('!i', -1) + struct.pack('!Q', 3) + b'xyz')
    print('hand-made long frame  ->', conn.recv_bytes())

    conn.close()
    print('after close, the raw socket reads', raw.recv(100), '(EOF)')
    raw.close()
