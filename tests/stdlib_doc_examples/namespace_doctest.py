# Example program from the Python documentation, "multiprocessing --
# Process-based parallelism" (https://docs.python.org/3/library/multiprocessing.html),
# section "Managers", class Namespace: the doctest session.  The session is
# kept verbatim in DOCTEST below; the lines after it run it with the doctest
# module, with ``multiprocessing`` imported beforehand (the session assumes
# it) and the option flags of Sphinx's doctest extension, which is how the
# docs run it, and print the summary.
# It is copied unchanged below this comment block: it is a conformance
# fixture that must behave the same on the stdlib (python FILE) and on teachmp
# (python -m teachmp run FILE); see tests/test_stdlib_doc_examples.py.
# Code examples in the Python documentation are licensed under the
# Zero-Clause BSD License (https://docs.python.org/3/license.html).

DOCTEST = r'''
    >>> manager = multiprocessing.Manager()
    >>> Global = manager.Namespace()
    >>> Global.x = 10
    >>> Global.y = 'hello'
    >>> Global._z = 12.3    # this is an attribute of the proxy
    >>> print(Global)
    Namespace(x=10, y='hello')
'''

if __name__ == '__main__':
    import doctest
    import multiprocessing
    import sys

    # sphinx.ext.doctest's default flags
    flags = (doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL
             | doctest.DONT_ACCEPT_TRUE_FOR_1)
    test = doctest.DocTestParser().get_doctest(
        DOCTEST, {'multiprocessing': multiprocessing}, 'namespace_doctest',
        __file__, 0)
    runner = doctest.DocTestRunner(verbose=False, optionflags=flags)
    runner.run(test)
    result = runner.summarize(verbose=False)
    print(f'{result.attempted} examples, {result.failed} failed')
    sys.exit(1 if result.failed else 0)
