"""The scaling series, as data: how the cost grows with the work.

:mod:`benchmarks.cases` measures one size of each thing.  A *series* here is
a curve: the same workload at several values of one knob (producers on a
queue, tasks in a map, processes on a lock, bytes in a message), measured on
teachmp, the stdlib and, where one means something, the OS floor -- the same
work with bare system calls.  Each series says

* its x axis and y quantity, with labels in English and Japanese (the plots
  exist in both languages, ``docs/img/bench/NAME.svg`` and ``NAME.ja.svg``);
* whether a higher y is better (a throughput, a speedup) or a lower one (a
  time);
* its target: the largest **cost ratio** teachmp may have against the
  stdlib at *every* point.  The cost ratio is teachmp's time over the
  stdlib's time, i.e. ``teachmp/stdlib`` for a time and ``stdlib/teachmp``
  for a throughput or a speedup, so that "≤ 1.0" always reads "no slower".

The runners live in :mod:`benchmarks.scaling_runs` and
:mod:`benchmarks.scaling_payload`; the driver that measures each point in a
fresh interpreter, writes ``benchmarks/scaling.json`` / ``scaling.md`` and
draws the plots is :mod:`benchmarks.scale` (``python -m benchmarks.scale``).
"""

from dataclasses import dataclass

from benchmarks import scaling_payload as pay
from benchmarks import scaling_runs as runs

KiB, MiB = 1 << 10, 1 << 20


@dataclass(frozen=True)
class Series:
    name: str
    title: tuple                 # (English, Japanese)
    x_label: tuple
    y_label: tuple
    unit: str                    # of y, in the tables
    xs: tuple
    quick_xs: tuple
    lib: object                  # lib(mp, x, quick) -> {'value': ...}
    floor: object = None         # floor(x, quick) -> {'value': ...}, or None
    target: float = None         # max cost ratio teachmp/stdlib, None: informational
    better: str = 'higher'       # 'higher' (throughput, speedup) or 'lower' (time)
    x_kind: str = 'count'        # 'count' or 'bytes' (how x is printed)
    rss: bool = False            # the runners also report peak RSS
    note: str = ''               # one line for the table: what is measured

    def cost_ratio(self, teachmp, stdlib):
        """teachmp's cost over the stdlib's: ≤ 1 means no slower."""
        if not teachmp or not stdlib:
            return None
        return teachmp / stdlib if self.better == 'lower' else stdlib / teachmp

    def fmt_x(self, x):
        if self.x_kind == 'bytes':
            if x >= MiB:
                return f'{x // MiB} MiB'
            return f'{x // KiB} KiB'
        return f'{x:,}'

    @property
    def log_x(self):
        return max(self.xs) / min(self.xs) >= 100


# -- shared labels ---------------------------------------------------------------

PROCS = ('processes', 'プロセス数')
PAIRS = ('acquire+release pairs/s (all processes)', '1 秒あたりの acquire+release の回数（全プロセスの合計）')
SIZE = ('message size (bytes)', 'メッセージのサイズ（バイト）')
MBS = ('throughput (MB/s)', 'スループット（MB/s）')
STARTED = ('processes started, then joined', '起動してから join するプロセスの数')
SECONDS = ('seconds for all of them', '全プロセスにかかった秒数')
TASKS = ('tasks in one call', '1 回の呼び出しのタスク数')
TASKS_S = ('tasks/s', '1 秒あたりのタスク数')
ITEMS_S = ('items/s received', '1 秒あたりに受け取った要素数')

PAYLOAD_XS = (1 * KiB, 32 * KiB, 1 * MiB, 32 * MiB, 256 * MiB)
PAYLOAD_QUICK = (1 * KiB, 64 * KiB)
WAYS = {
    'pipe': ('Pipe(duplex=False)', 'Pipe(duplex=False)'),
    'queue': ('Queue.put → get', 'Queue.put → get'),
    'pool': ('Pool(1).apply, the result', 'Pool(1).apply の戻り値'),
}
KINDS = {'bytes': ('bytes', 'bytes'),
         'numpy': ('a NumPy float64 array', 'NumPy の float64 配列')}


def _payload_series(way, kind):
    lib = getattr(pay, f'payload_{way}_lib')
    how = {'pipe': {'bytes': 'send_bytes/recv_bytes',
                    'numpy': 'pickle protocol 5, buffer out of band'},
           'queue': {'bytes': 'pickled in band', 'numpy': 'pickled in band'},
           'pool': {'bytes': 'pickled in band', 'numpy': 'pickled in band'}}
    en_way, ja_way = WAYS[way]
    en_kind, ja_kind = KINDS[kind]
    return Series(
        f'payload_{way}_{kind}',
        (f'{en_way}: {en_kind}, MB/s and peak RSS',
         f'{ja_way}: {ja_kind}、MB/s とピーク RSS'),
        SIZE, MBS, 'MB/s', PAYLOAD_XS, PAYLOAD_QUICK,
        lambda mp, x, quick: lib(mp, kind, x, quick),
        lambda x, quick: pay.payload_floor(kind, x, quick),
        target=1.0, x_kind='bytes', rss=True,
        note=f'{how[way][kind]}; floor: raw os.pipe into one reused buffer')


SERIES_LIST = [
    Series('queue_producers', ('Queue: N producers → 1 consumer',
                               'Queue: N 個のプロデューサー → 1 個のコンシューマー'),
           ('producer processes', 'プロデューサーのプロセス数'), ITEMS_S,
           'items/s', (1, 2, 4, 8), (1, 2), runs.queue_producers_lib,
           runs.queue_producers_floor, target=1.0,
           note='40,000 small ints in all; floor: 8-byte frames on one os.pipe'),
    Series('queue_consumers', ('Queue: 1 producer → N consumers',
                               'Queue: 1 個のプロデューサー → N 個のコンシューマー'),
           ('consumer processes', 'コンシューマーのプロセス数'), ITEMS_S,
           'items/s', (1, 2, 4), (1, 2), runs.queue_consumers_lib,
           runs.queue_consumers_floor, target=1.0,
           note='40,000 small ints; floor: 8-byte frames, N readers on one os.pipe'),
    Series('pool_map', ('Pool().map of tiny tasks, default chunksize',
                        'Pool().map で小さなタスク、chunksize はデフォルト'),
           TASKS, TASKS_S, 'tasks/s', (10**3, 10**4, 10**5, 10**6),
           (10**2, 10**3), runs.pool_map_lib, target=1.0,
           note='f(x) = x, one worker per CPU; no OS floor'),
    Series('pool_map_chunked', ('Pool().map of tiny tasks, one chunk per worker',
                                'Pool().map で小さなタスク、ワーカーごとに 1 つのチャンク'),
           TASKS, TASKS_S, 'tasks/s', (10**3, 10**4, 10**5, 10**6),
           (10**2, 10**3), runs.pool_map_chunked_lib, target=1.0,
           note='chunksize = ceil(N / workers): the fewest messages'),
    Series('pool_imap_unordered', ('Pool().imap_unordered of tiny tasks',
                                   'Pool().imap_unordered で小さなタスク'),
           TASKS, TASKS_S, 'tasks/s', (10**3, 10**4, 10**5), (10**2, 10**3),
           runs.pool_imap_unordered_lib, target=1.0,
           note='default chunksize (1): one message per task'),
    Series('pool_workers', ('Pool(N).map, CPU-bound: speedup over serial',
                            'Pool(N).map、CPU を使うタスク: 逐次実行に対する速度向上'),
           ('worker processes', 'ワーカーのプロセス数'),
           ('speedup (× serial)', '速度向上（逐次実行の何倍か）'), '× serial',
           (1, 2, 3, 4), (1, 2), runs.pool_workers_lib, runs.pool_workers_floor,
           target=1.0,
           note='8 tasks of a Python loop; floor: the same split over forked children'),
    Series('manager_clients', ('Manager().dict(): N clients doing d[k] = v; d[k]',
                               'Manager().dict(): N 個のクライアントが d[k] = v; d[k]'),
           ('client processes', 'クライアントのプロセス数'),
           ('set+get pairs/s (all clients)', '1 秒あたりの set+get の回数（全クライアントの合計）'),
           'pairs/s', (1, 2, 4, 8), (1, 2), runs.manager_clients_lib,
           runs.manager_clients_floor, target=1.0,
           note='floor: a forked server with a thread per socketpair, raw bytes'),
    Series('lock_uncontended', ('Lock: N processes, each on its own Lock',
                                'Lock: N 個のプロセスがそれぞれ自分の Lock を使う'),
           PROCS, PAIRS, 'pairs/s', (1, 2, 4, 8), (1, 2),
           runs.lock_uncontended_lib, runs.lock_uncontended_floor,
           note='no target: the stdlib needs no system call here, '
                'teachmp and the floor need two'),
    Series('lock_contention', ('Lock: N processes contending on one Lock',
                               'Lock: N 個のプロセスが 1 つの Lock を取り合う'),
           PROCS, PAIRS, 'pairs/s', (2, 4, 8), (2,),
           runs.lock_contention_lib, runs.lock_contention_floor, target=1.5,
           note='floor: a blocking os.pipe holding one byte'),
    Series('value_contention', ('`with v.get_lock(): v.value += 1`, N processes',
                                '`with v.get_lock(): v.value += 1`、N 個のプロセス'),
           PROCS, ('increments/s (all processes)', '1 秒あたりの加算の回数（全プロセスの合計）'),
           'increments/s', (2, 4, 8), (2,), runs.value_contention_lib,
           runs.value_contention_floor, target=2.0,
           note='the final value is checked; floor: pipe lock + an int in a shared mmap'),
    Series('start_fork', ("Process start+join, 'fork'", "プロセスの起動と join、'fork'"),
           STARTED, SECONDS, 's', (1, 10, 100), (1, 3),
           runs.start_fork_lib, runs.start_fork_floor, target=1.0,
           better='lower', note='floor: os.fork + os._exit + waitpid'),
    Series('start_spawn', ("Process start+join, 'spawn'", "プロセスの起動と join、'spawn'"),
           STARTED, SECONDS, 's', (1, 10, 100), (1,),
           runs.start_spawn_lib, runs.start_spawn_floor, target=1.0,
           better='lower', note='floor: posix_spawn of `python -c pass`'),
    Series('start_forkserver', ("Process start+join, 'forkserver'",
                                "プロセスの起動と join、'forkserver'"),
           STARTED, SECONDS, 's', (1, 10, 100), (1,),
           runs.start_forkserver_lib, runs.start_fork_floor, target=1.0,
           better='lower', note="floor: the server's own fork (os.fork + waitpid)"),
] + [_payload_series(way, kind) for way in WAYS for kind in KINDS]

SERIES = {s.name: s for s in SERIES_LIST}
