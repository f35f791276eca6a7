"""A method that returns a generator, served through a proxy type of our own."""
from multiprocessing.managers import BaseManager, BaseProxy


class Library:
    def __init__(self, titles):
        self.titles = list(titles)

    def count(self):
        return len(self.titles)

    def matching(self, word):
        # A generator lives in the server; the client cannot get it by pickle.
        return (t for t in self.titles if word in t.lower())


class StreamProxy(BaseProxy):
    """Iterates by asking the server for __next__ each time."""
    _exposed_ = ['__next__']

    def __iter__(self):
        return self

    def __next__(self):
        return self._callmethod('__next__')


class LibraryManager(BaseManager):
    pass


# The generator typeid has no callable: only Library.matching() makes one.
LibraryManager.register('Stream', proxytype=StreamProxy, create_method=False)
LibraryManager.register('Library', Library,
                        method_to_typeid={'matching': 'Stream'})


if __name__ == '__main__':
    with LibraryManager() as manager:
        library = manager.Library(['The Python Book', 'Pipes and Filters',
                                   'python in Practice', 'Queues'])
        stream = library.matching('python')
        print('proxy:', type(stream).__name__)
        print('first:', next(stream))
        print('rest:', list(stream))
        print('count:', library.count())
