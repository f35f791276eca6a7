"""The default start method of this interpreter on this platform."""
import multiprocessing as mp

if __name__ == '__main__':
    print('default start method:', mp.get_start_method())
