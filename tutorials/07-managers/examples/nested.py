"""A plain dict inside a managed list is copied out, not shared."""
import multiprocessing as mp

if __name__ == '__main__':
    with mp.Manager() as manager:
        records = manager.list([{'hits': 0}])

        # 1. The pitfall: records[0] is a *copy* sent back by the server.
        records[0]['hits'] += 1
        print("after records[0]['hits'] += 1:", records[0])

        # 2. Fix one: take the copy, change it, send it back.
        d = records[0]
        d['hits'] += 1
        records[0] = d                  # __setitem__: the server stores it
        print('after reassigning records[0]:', records[0])

        # 3. Fix two: store a dict *proxy* in the list (nested proxies).
        records.append(manager.dict(hits=0))
        records[1]['hits'] += 1         # records[1] is a proxy to the same dict
        print('nested proxy:', records[1]['hits'], type(records[1]).__name__)
        print('whole list:', [r if isinstance(r, dict) else r.copy()
                              for r in records])
