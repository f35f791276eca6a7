"""A list, a dict and a Namespace that live in a manager's server process."""
import multiprocessing as mp


def worker(shared_list, shared_dict, ns, n):
    shared_list.append(n * n)           # one message to the server
    shared_dict[f'worker-{n}'] = mp.current_process().name
    ns.last = n                         # also a message: ns is a proxy too


if __name__ == '__main__':
    with mp.Manager() as manager:
        squares = manager.list()
        who = manager.dict()
        ns = manager.Namespace(title='squares', last=None)

        for n in range(1, 4):
            p = mp.Process(target=worker, args=(squares, who, ns, n),
                           name=f'P{n}')
            p.start()
            p.join()                    # one after the other: a fixed order

        print('list:', squares)         # str(): asks the server for the list
        print('dict:', sorted(who.items()))
        print('namespace:', ns)
        print('copy:', type(squares[:]).__name__, squares[:])
        print('proxy type:', type(squares).__name__)
