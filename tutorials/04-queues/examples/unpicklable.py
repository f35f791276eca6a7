"""An item that cannot be pickled: put() succeeds, the item never arrives."""
# example: stderr-tail
import multiprocessing as mp
import threading

if __name__ == '__main__':
    q = mp.Queue()
    q.put(threading.Lock())    # returns normally: pickling happens later
    q.put('next item')
    print('got:', q.get(timeout=10))
    print('qsize():', q.qsize())
