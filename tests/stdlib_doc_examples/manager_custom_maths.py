# Example program from the Python documentation, "multiprocessing --
# Process-based parallelism" (https://docs.python.org/3/library/multiprocessing.html),
# section "Managers", **Customized managers**: MathsClass.
# It is copied unchanged below this comment block: it is a conformance
# fixture that must behave the same on the stdlib (python FILE) and on teachmp
# (python -m teachmp run FILE); see tests/test_stdlib_doc_examples.py.
# Code examples in the Python documentation are licensed under the
# Zero-Clause BSD License (https://docs.python.org/3/license.html).

from multiprocessing.managers import BaseManager

class MathsClass:
    def add(self, x, y):
        return x + y
    def mul(self, x, y):
        return x * y

class MyManager(BaseManager):
    pass

MyManager.register('Maths', MathsClass)

if __name__ == '__main__':
    with MyManager() as manager:
        maths = manager.Maths()
        print(maths.add(4, 3))         # prints 7
        print(maths.mul(7, 8))         # prints 56
