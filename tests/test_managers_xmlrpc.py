"""BaseManager(serializer='xmlrpclib'): the same results as the stdlib's,
including what XML-RPC cannot carry (tuples become lists, bytes Binary,
other objects an error)."""

import importlib

import pytest

from surface_targets import xml_manager_class


def _scenario(mp, impl):
    managers = importlib.import_module(impl.__name__ + '.managers')

    M = xml_manager_class('stdlib' if impl.__name__ == 'multiprocessing' else 'teachmp')
    seen = []
    with M(serializer='xmlrpclib', ctx=mp) as m:
        t = m.Thing()
        seen += [t.get(), t.add(5), t.get()]
        first, raw = t.pair()
        seen += [first, type(raw).__name__, getattr(raw, 'data', raw)]
        with pytest.raises(managers.RemoteError) as info:
            t.unsendable()
        seen.append('Unserializable message' in str(info.value))
        d = m.dict()
        d['a'] = (1, 2)
        seen.append(d.copy())
        d[1] = 'an int key'                # the request is fine...
        with pytest.raises(managers.RemoteError):
            d.copy()                       # ...but XML-RPC dicts have string keys
    return seen


def test_xmlrpclib_serializer(mp, impl):
    import multiprocessing
    expected = _scenario(multiprocessing.get_context(mp.get_start_method()),
                         multiprocessing)
    assert expected[:3] == [[1], 2, [1, 5]]
    assert _scenario(mp, impl) == expected


def test_unknown_serializer_is_a_keyerror(mpmod):
    managers = importlib.import_module(mpmod.__name__ + '.managers')
    with pytest.raises(KeyError):
        managers.BaseManager(serializer='json')
