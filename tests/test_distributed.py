"""Chapter 12: the same workload on teachmp's Pool and on a Dask cluster.

The Monte Carlo tasks of ``tutorials/12-beyond/examples/montecarlo.py`` carry
their own seeds, so every engine must return exactly the same counts.  Dask
is an optional extra (``pip install teachmp[distributed]``, installed by
``make test`` through the ``dev`` extra); without it the test is skipped.
"""

from __future__ import annotations

import os
import sys

import pytest

import teachmp

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        'tutorials', '12-beyond', 'examples')
if EXAMPLES not in sys.path:
    # spawned children (Pool workers, Dask workers) copy the parent's sys.path
    sys.path.insert(0, EXAMPLES)

import montecarlo  # noqa: E402


@pytest.fixture(autouse=True)
def examples_on_path(monkeypatch):
    """Workers started by a test import ``montecarlo`` by name: they copy
    sys.path when they start, so it must hold the examples directory then
    (another conftest, Sybil's, may have removed it since collection)."""
    monkeypatch.syspath_prepend(EXAMPLES)


def run_on_pool(start_method):
    with teachmp.get_context(start_method).Pool(2) as pool:
        hits = pool.map(montecarlo.count_hits, montecarlo.tasks())
        again = pool.apply_async(montecarlo.count_hits, ((3, montecarlo.POINTS),))
        return hits, again.get(timeout=60)


@pytest.fixture(scope='module')
def distributed():
    """The ``distributed`` module, or skip.

    Module-scoped so that it runs before the autouse leak check takes its
    snapshot: distributed keeps one "Dask-Offload" thread for the life of the
    process on purpose (a module-level ThreadPoolExecutor, like the stdlib's
    resource tracker it is started once and reused), so we start it here
    rather than count it as a leak of the first test that uses a cluster.
    """
    distributed = pytest.importorskip(
        'distributed',
        reason="Dask distributed is not installed: pip install 'teachmp[distributed]'"
               " (make test installs it through the dev extra)")
    from distributed.utils import _offload_executor
    _offload_executor.submit(int).result(timeout=30)
    return distributed


def run_on_dask(distributed):
    cluster = client = None
    try:
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True,
            dashboard_address=None)
        client = distributed.Client(cluster)
        futures = client.map(montecarlo.count_hits, montecarlo.tasks())
        # bounded: a worker that cannot run the tasks would make the
        # scheduler retry them for a long time
        distributed.wait(futures, timeout=60)
        hits = client.gather(futures)
        again = client.submit(montecarlo.count_hits, (3, montecarlo.POINTS))
        return hits, again.result(timeout=60)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def test_expected_counts_are_stable():
    # the tasks are deterministic: the same in this process as anywhere else
    hits = [montecarlo.count_hits(t) for t in montecarlo.tasks()]
    assert len(hits) == len(montecarlo.SEEDS)
    assert abs(montecarlo.estimate(hits) - 3.14159) < 0.05


@pytest.mark.timeout(120)
@pytest.mark.parametrize('start_method', ['fork', 'spawn'])
def test_pool_and_dask_agree(distributed, start_method):
    expected = [montecarlo.count_hits(t) for t in montecarlo.tasks()]
    dask_hits, dask_again = run_on_dask(distributed)
    pool_hits, pool_again = run_on_pool(start_method)
    assert pool_hits == expected
    assert dask_hits == pool_hits
    assert dask_again == pool_again == expected[3]
