# Example program from the Python documentation, "multiprocessing --
# Process-based parallelism" (https://docs.python.org/3/library/multiprocessing.html),
# section "Connection Objects": the doctest session after the description of
# Connection.recv_bytes_into().  The session is kept verbatim in DOCTEST
# below; the few lines after it only run it with the doctest module (the
# docs run it the same way) and print the summary.
# It is copied unchanged below this comment block: it is a conformance
# fixture that must behave the same on the stdlib (python FILE) and on teachmp
# (python -m teachmp run FILE); see tests/test_stdlib_doc_examples.py.
# Code examples in the Python documentation are licensed under the
# Zero-Clause BSD License (https://docs.python.org/3/license.html).

DOCTEST = r'''
    >>> from multiprocessing import Pipe
    >>> a, b = Pipe()
    >>> a.send([1, 'hello', None])
    >>> b.recv()
    [1, 'hello', None]
    >>> b.send_bytes(b'thank you')
    >>> a.recv_bytes()
    b'thank you'
    >>> import array
    >>> arr1 = array.array('i', range(5))
    >>> arr2 = array.array('i', [0] * 10)
    >>> a.send_bytes(arr1)
    >>> count = b.recv_bytes_into(arr2)
    >>> assert count == len(arr1) * arr1.itemsize
    >>> arr2
    array('i', [0, 1, 2, 3, 4, 0, 0, 0, 0, 0])
'''

if __name__ == '__main__':
    import doctest
    import sys

    test = doctest.DocTestParser().get_doctest(
        DOCTEST, {}, 'connection_doctest', __file__, 0)
    runner = doctest.DocTestRunner(verbose=False)
    runner.run(test)
    result = runner.summarize(verbose=False)
    print(f'{result.attempted} examples, {result.failed} failed')
    sys.exit(1 if result.failed else 0)
