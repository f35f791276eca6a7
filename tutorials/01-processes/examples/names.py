"""Default names follow the family tree: Process-1, Process-1:1, ..."""
import multiprocessing as mp


def whoami():
    me = mp.current_process()
    parent = mp.parent_process()
    print(f'{me.name:12} child of {parent.name}')


def starts_two_children():
    whoami()
    for _ in range(2):
        child = mp.Process(target=whoami)
        child.start()
        child.join()


class Worker(mp.Process):
    """A subclass: its default name uses the class name."""


if __name__ == '__main__':
    print(f'{mp.current_process().name:12} parent_process() = {mp.parent_process()}')
    for p in (mp.Process(target=starts_two_children),
              mp.Process(target=whoami),
              mp.Process(target=starts_two_children, name='boss'),
              Worker(target=whoami)):
        p.start()
        p.join()
