"""A lambda or a local function sent to a Pool: the stdlib's error, plus a hint.

Both implementations raise the same exception type with the same first line
(pickle's own message); teachmp adds a hint that points at chapter 08's
pitfall, after the message (a note on 3.11+, a second line on 3.10).
"""

import re

import pytest

from impls import IMPLS, load_impl
from teachmp.pool_handlers import POOL_PICKLING_HINT

MODULE_LAMBDA = lambda x: x * 2  # noqa: E731 - the mistake under test


def square(x):
    return x * x


def _local():
    def local(x):
        return x
    return local


def _error(impl_name, func, items):
    mp = load_impl(impl_name)
    pool = mp.get_context('fork').Pool(1)
    try:
        with pytest.raises(Exception) as info:
            pool.map(func, items, chunksize=1)
        assert pool.map(square, [3], chunksize=1) == [9]  # the pool still works
    finally:
        pool.close()
        pool.join()
    exc = info.value
    first = re.sub(r'0x[0-9a-f]+', '0xADDR', str(exc).splitlines()[0])
    notes = list(getattr(exc, '__notes__', ())) + str(exc).splitlines()[1:]
    return type(exc), first, notes


@pytest.mark.timeout(60)
@pytest.mark.parametrize('what', ['module lambda', 'local function', 'lambda argument'])
def test_same_error_as_the_stdlib_and_a_hint_after_it(what):
    func, items = {
        'module lambda': (MODULE_LAMBDA, [1, 2]),
        'local function': (_local(), [1, 2]),
        'lambda argument': (square, [lambda: 1]),  # pickled too
    }[what]
    results = {name: _error(name, func, items) for name in IMPLS}
    std_type, std_first, std_notes = results['stdlib']
    my_type, my_first, my_notes = results['teachmp']
    assert (my_type, my_first) == (std_type, std_first)
    assert issubclass(my_type, (AttributeError, TypeError)) or \
        my_type.__name__ == 'PicklingError'
    assert POOL_PICKLING_HINT not in std_notes
    assert POOL_PICKLING_HINT in my_notes
    assert 'chapter 08, "Pitfalls"' in POOL_PICKLING_HINT


@pytest.mark.timeout(60)
def test_no_hint_for_other_pickling_errors():
    # An object that cannot be pickled for another reason: no lambda hint.
    import threading
    lock = threading.Lock()
    _, _, notes = _error('teachmp', square, [lock])
    assert POOL_PICKLING_HINT not in notes
