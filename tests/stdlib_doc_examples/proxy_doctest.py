# Example program from the Python documentation, "multiprocessing --
# Process-based parallelism" (https://docs.python.org/3/library/multiprocessing.html),
# section "Proxy Objects": its sessions, in the page's order and sharing one
# namespace as the docs' doctest run does -- DOCTEST_1 (str/repr, l[4], l[2:5],
# nested lists, dicts in a list), LPROXY (the lproxy[0] = d re-assignment, a
# plain code block: it is run as is, then lproxy is printed), DOCTEST_2
# (== is False; BaseProxy._callmethod with __len__, a slice, IndexError).
# The texts are verbatim; the lines after them run them with Sphinx's doctest
# option flags and print a summary.
# It is copied unchanged below this comment block: it is a conformance
# fixture that must behave the same on the stdlib (python FILE) and on teachmp
# (python -m teachmp run FILE); see tests/test_stdlib_doc_examples.py.
# Code examples in the Python documentation are licensed under the
# Zero-Clause BSD License (https://docs.python.org/3/license.html).

DOCTEST_1 = r'''
   >>> from multiprocessing import Manager
   >>> manager = Manager()
   >>> l = manager.list([i*i for i in range(10)])
   >>> print(l)
   [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
   >>> print(repr(l))
   <ListProxy object, typeid 'list' at 0x...>
   >>> l[4]
   16
   >>> l[2:5]
   [4, 9, 16]

   >>> a = manager.list()
   >>> b = manager.list()
   >>> a.append(b)         # referent of a now contains referent of b
   >>> print(a, b)
   [<ListProxy object, typeid 'list' at ...>] []
   >>> b.append('hello')
   >>> print(a[0], b)
   ['hello'] ['hello']

   >>> l_outer = manager.list([ manager.dict() for i in range(2) ])
   >>> d_first_inner = l_outer[0]
   >>> d_first_inner['a'] = 1
   >>> d_first_inner['b'] = 2
   >>> l_outer[1]['c'] = 3
   >>> l_outer[1]['z'] = 26
   >>> print(l_outer[0])
   {'a': 1, 'b': 2}
   >>> print(l_outer[1])
   {'c': 3, 'z': 26}
'''

LPROXY = '''
# create a list proxy and append a mutable object (a dictionary)
lproxy = manager.list()
lproxy.append({})
# now mutate the dictionary
d = lproxy[0]
d['a'] = 1
d['b'] = 2
# at this point, the changes to d are not yet synced, but by
# updating the dictionary, the proxy is notified of the change
lproxy[0] = d
'''

DOCTEST_2 = r'''
       >>> manager.list([1,2,3]) == [1,2,3]
       False

         >>> l = manager.list(range(10))
         >>> l._callmethod('__len__')
         10
         >>> l._callmethod('__getitem__', (slice(2, 7),)) # equivalent to l[2:7]
         [2, 3, 4, 5, 6]
         >>> l._callmethod('__getitem__', (20,))          # equivalent to l[20]
         Traceback (most recent call last):
         ...
         IndexError: list index out of range
'''

if __name__ == '__main__':
    import doctest
    import sys

    # sphinx.ext.doctest's default flags
    flags = (doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL
             | doctest.DONT_ACCEPT_TRUE_FOR_1)
    runner = doctest.DocTestRunner(verbose=False, optionflags=flags)
    parser = doctest.DocTestParser()
    test_1 = parser.get_doctest(DOCTEST_1, {}, 'proxy_doctest_1', __file__, 0)
    runner.run(test_1, clear_globs=False)
    globs = test_1.globs
    exec(LPROXY, globs)
    print('lproxy:', globs['lproxy'])
    runner.run(parser.get_doctest(DOCTEST_2, globs, 'proxy_doctest_2',
                                  __file__, 0), clear_globs=False)
    result = runner.summarize(verbose=False)
    print(f'{result.attempted} examples, {result.failed} failed')
    sys.exit(1 if result.failed else 0)
