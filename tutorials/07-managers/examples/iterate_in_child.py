"""A proxy that came to a child by pickle has no manager: methods that
return a new proxy (iterating a dict proxy does) fail there."""
import multiprocessing as mp


def child(d, out):
    try:
        out.send(('for key in d', [key for key in d]))
    except AttributeError as e:
        out.send(('for key in d', type(e).__name__))
    out.send(('d.keys()', sorted(d.keys())))   # keys() returns a plain list
    out.close()


if __name__ == '__main__':
    with mp.Manager() as manager:
        d = manager.dict(a=1, b=2)
        print('parent:', sorted(key for key in d))
        mine, theirs = mp.Pipe(duplex=False)
        p = mp.Process(target=child, args=(d, theirs))
        p.start()
        theirs.close()
        for _ in range(2):
            print('child: %s -> %s' % mine.recv())
        p.join()
