"""Task-runner selection, and parse batches run on a real 2-process Dask cluster."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask import DaskTaskRunner

from extract.local import read_local_file, walk_directory
from flows.runners import local_cluster, task_runner_for
from medcodes.pipeline import BatchResult, process_pages
from medcodes.sample import sample_pages_dir
from medcodes.settings import Settings


def test_one_worker_runs_threads_in_process() -> None:
    assert isinstance(task_runner_for(Settings(workers=1)), ThreadPoolTaskRunner)


def test_several_workers_run_a_local_cluster_of_single_threaded_processes() -> None:
    runner = task_runner_for(Settings(workers=2))
    assert isinstance(runner, DaskTaskRunner)
    assert runner.address is None
    assert runner.cluster_class is local_cluster
    kwargs = runner.cluster_kwargs
    assert (kwargs["n_workers"], kwargs["threads_per_worker"], kwargs["processes"]) == (2, 1, True)


def test_an_address_wins_over_the_worker_count() -> None:
    runner = task_runner_for(Settings(workers=4, dask_address="tcp://127.0.0.1:8786"))
    assert isinstance(runner, DaskTaskRunner)
    assert runner.address == "tcp://127.0.0.1:8786"


def _outcomes(result: BatchResult) -> tuple[list, list]:
    records = sorted(((r.code_row, r.section_rows, r.related_rows) for r in result.records), key=repr)
    quarantine = sorted((q.source_url, q.reason, q.detail) for q in result.quarantine)
    return records, quarantine


@pytest.mark.timeout(180)
def test_batches_on_a_two_process_cluster_match_in_process_results() -> None:
    distributed = pytest.importorskip("distributed")
    pages = [read_local_file(Path(p)) for p in walk_directory(sample_pages_dir())]
    batches = [pages[i:i + 7] for i in range(0, len(pages), 7)]
    local = BatchResult()
    for batch in batches:
        local.extend(process_pages(batch))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        futures = client.map(process_pages, batches, pure=False)
        remote = BatchResult()
        for result in client.gather(futures):
            remote.extend(result)
        workers_used = {w for w, tasks in client.has_what().items()}
    assert len(workers_used) == 2
    assert local.pages == len(pages) > 30
    assert local.records and local.quarantine
    assert _outcomes(remote) == _outcomes(local)


def _worker_state() -> tuple[bool, bool, bool]:
    """(parse path imported before any task, profiler on, objects frozen out of the GC)."""
    import gc
    import sys

    import dask

    return "flows.refresh" in sys.modules, dask.config.get("distributed.worker.profile.enabled"), gc.get_freeze_count() > 0


@pytest.mark.timeout(180)
def test_local_workers_fork_with_the_parse_path_loaded_and_no_profiler() -> None:
    import multiprocessing

    distributed = pytest.importorskip("distributed")
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no forkserver on this platform: workers are spawned")
    with local_cluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        states = client.run(_worker_state)
    assert list(states.values()) == [(True, False, True)] * 2


def test_a_batch_is_its_own_dask_task_without_hashing_its_pages() -> None:
    import threading

    from dask.base import tokenize

    from medcodes.pipeline import PageBatch

    pages = [read_local_file(p) for p in list(walk_directory(sample_pages_dir()))[:3]]
    batch = PageBatch(pages)
    assert tokenize(batch) == tokenize(batch)
    assert tokenize(PageBatch(pages)) != tokenize(batch)  # same pages, another submission
    # Dask would have to pickle the pages to hash them, and cannot pickle this one: it would
    # fall back to a new random token per call. The batch's own name needs no pickling.
    unpicklable = PageBatch([threading.Lock()])
    assert tokenize(unpicklable) == tokenize(unpicklable)


@pytest.mark.timeout(180)
def test_a_local_cluster_takes_no_fixed_port(prefect_harness) -> None:
    """Two runs on one machine must not fight over Dask's default HTTP port (8787)."""
    import socket
    import warnings

    from flows.runners import dask_cluster_kwargs

    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", 8787))
        except OSError:
            pytest.skip("port 8787 is already taken on this machine")
        taken.listen()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with local_cluster(**dask_cluster_kwargs(1)) as cluster:
                assert cluster.scheduler_info["workers"]
    assert not [w for w in caught if "already in use" in str(w.message)]
