"""A worker's exception comes back to the caller, with the worker's
traceback attached as its __cause__."""
# example: stderr-tail
import multiprocessing as mp


def inverse(x):
    return 1 / x


if __name__ == '__main__':
    with mp.Pool(2) as pool:
        try:
            pool.map(inverse, [1, 2, 0, 4])
        except ZeroDivisionError as e:
            print('caught:', repr(e))
            cause = e.__cause__
            print('cause: ', type(cause).__name__)
            print('the worker traceback names inverse():',
                  'in inverse' in str(cause))

        # imap raises at the failing item; the items before it arrive first.
        it = pool.imap(inverse, [1, 2, 0, 4])
        print('imap:  ', next(it), next(it))
        try:
            next(it)
        except ZeroDivisionError:
            print('imap:   ZeroDivisionError at the third item')
        print('imap:  ', next(it), '(the iterator goes on)')

        # An exception that is not caught prints both tracebacks.
        pool.apply(inverse, (0,))
