# Example program from the Python documentation, "multiprocessing --
# Process-based parallelism" (https://docs.python.org/3/library/multiprocessing.html),
# section "Process Pools", after AsyncResult: "The following example
# demonstrates the use of a pool".  It ends with the uncaught
# multiprocessing.TimeoutError of result.get(timeout=1) (exit code 1).
# example: stderr-tail
# It is copied unchanged below this comment block: it is a conformance
# fixture that must behave the same on the stdlib (python FILE) and on teachmp
# (python -m teachmp run FILE); see tests/test_stdlib_doc_examples.py.
# Code examples in the Python documentation are licensed under the
# Zero-Clause BSD License (https://docs.python.org/3/license.html).

from multiprocessing import Pool
import time

def f(x):
    return x*x

if __name__ == '__main__':
    with Pool(processes=4) as pool:         # start 4 worker processes
        result = pool.apply_async(f, (10,)) # evaluate "f(10)" asynchronously in a single process
        print(result.get(timeout=1))        # prints "100" unless your computer is *very* slow

        print(pool.map(f, range(10)))       # prints "[0, 1, 4,..., 81]"

        it = pool.imap(f, range(10))
        print(next(it))                     # prints "0"
        print(next(it))                     # prints "1"
        print(it.next(timeout=1))           # prints "4" unless your computer is *very* slow

        result = pool.apply_async(time.sleep, (10,))
        print(result.get(timeout=1))        # raises multiprocessing.TimeoutError
