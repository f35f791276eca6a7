# Example program from the Python documentation, "multiprocessing --
# Process-based parallelism" (https://docs.python.org/3/library/multiprocessing.html),
# section "Introduction": the first Pool example.
# It is copied unchanged below this comment block: it is a conformance
# fixture that must behave the same on the stdlib (python FILE) and on teachmp
# (python -m teachmp run FILE); see tests/test_stdlib_doc_examples.py.
# Code examples in the Python documentation are licensed under the
# Zero-Clause BSD License (https://docs.python.org/3/license.html).

from multiprocessing import Pool

def f(x):
    return x*x

if __name__ == '__main__':
    with Pool(5) as p:
        print(p.map(f, [1, 2, 3]))
