"""Choosing a start method: set it once for the program, or use contexts."""
import multiprocessing as mp


def report():
    print(f'child: my start method is {mp.get_start_method()}', flush=True)


if __name__ == '__main__':
    # Nothing chosen yet: allow_none=True asks without choosing.
    print('chosen so far:', mp.get_start_method(allow_none=True))

    mp.set_start_method('spawn')          # once, early, behind the guard
    print('now:', mp.get_start_method())
    p = mp.Process(target=report)
    p.start()
    p.join()

    try:
        mp.set_start_method('fork')       # a second call is refused ...
    except RuntimeError as exc:
        print('RuntimeError:', exc)
    mp.set_start_method('fork', force=True)   # ... unless forced
    print('after force:', mp.get_start_method())

    # A context is a fixed start method with the whole API hanging off it;
    # it does not touch the global choice.
    ctx = mp.get_context('spawn')
    print('context:', ctx.get_start_method(), '| global:', mp.get_start_method())
    p = ctx.Process(target=report)
    p.start()
    p.join()

    try:
        mp.get_context('threads')
    except ValueError as exc:
        print('ValueError:', exc)
