"""Under spawn the target and its arguments travel by pickle; under fork they don't.

A lambda or a function defined inside another function cannot be pickled
(pickle stores functions by their importable name), so spawn refuses them
in the parent, at start(), before any child exists.
"""
import multiprocessing as mp


def module_level(x):
    print(f'module_level({x}) ran', flush=True)


shout = lambda x: print(f'shout({x}) ran', flush=True)  # noqa: E731


def try_start(method, target, label):
    p = mp.get_context(method).Process(target=target, args=(label,))
    try:
        p.start()
    except Exception as exc:
        print(f'{method:>5} {label}: {type(exc).__name__}: {exc}', flush=True)
    else:
        p.join()


def main():
    def local(x):
        print(f'local({x}) ran', flush=True)

    for method in ('fork', 'spawn'):
        try_start(method, module_level, 'module-level function')
        try_start(method, shout, 'module-level lambda')
        try_start(method, lambda x: print(f'lambda({x}) ran', flush=True), 'inline lambda')
        try_start(method, local, 'local function')


if __name__ == '__main__':
    main()
