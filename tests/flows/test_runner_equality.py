"""The published snapshot is the same whatever runs the parse batches: threads in process,
`--workers 2` (a local Dask cluster started by the runner), or an existing Dask cluster
reached by its address (`--dask-address`), here a `LocalCluster` started by the test."""

from __future__ import annotations

import pandas as pd
import pytest

from prefect import flow, task

from flows.refresh import refresh
from flows.runners import release_local_workers, task_runner_for
from medcodes.settings import Settings

TABLES = ("codes", "sections", "related_codes", "quarantine")
OPTIONS = {"batch_size": 7}  # several batches, so Dask workers really share the work


def _run(out, **options) -> None:
    settings = Settings(**options)
    refresh.with_options(task_runner=task_runner_for(settings))(
        sources=None, out_dir=str(out), options={**OPTIONS, **options})


def _assert_same_snapshot(a, b) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(pd.read_parquet(a / "latest" / f"{table}.parquet"),
                                      pd.read_parquet(b / "latest" / f"{table}.parquet"))
    assert (a / "latest" / "codes.jsonl").read_bytes() == (b / "latest" / "codes.jsonl").read_bytes()


@pytest.mark.timeout(300)
def test_threads_local_workers_and_an_existing_cluster_publish_the_same_rows(prefect_harness, tmp_path):
    distributed = pytest.importorskip("distributed")
    _run(tmp_path / "threads")
    _run(tmp_path / "workers", workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        _run(tmp_path / "cluster", dask_address=cluster.scheduler_address)
        with distributed.Client(cluster) as client:  # the cluster really ran parse tasks
            assert any("parse_batch" in str(key) for key in client.run_on_scheduler(
                lambda dask_scheduler: list(dask_scheduler.task_prefixes)))
            assert len(client.scheduler_info()["workers"]) == 2  # a cluster it was handed keeps its workers
    _assert_same_snapshot(tmp_path / "threads", tmp_path / "workers")
    _assert_same_snapshot(tmp_path / "threads", tmp_path / "cluster")


@task
def _double(value: int) -> int:
    return 2 * value


def _forkservers() -> int:
    """This process's running forkservers (what local workers fork from)."""
    import psutil

    return sum("forkserver" in " ".join(child.cmdline()) for child in psutil.Process().children())


@flow
def _workers_around_release(workers: int, dask_address: str | None = None) -> tuple[int, int, int, int]:
    """(a task's result, workers before, workers after `release_local_workers`, forkservers after)."""
    from prefect_dask import get_dask_client

    result = _double.submit(21).result()
    with get_dask_client() as client:
        before = len(client.scheduler_info()["workers"])
    release_local_workers(Settings(workers=workers, dask_address=dask_address))
    with get_dask_client() as client:
        after = len(client.scheduler_info()["workers"])
    return result, before, after, _forkservers()


@pytest.mark.timeout(300)
def test_local_workers_are_released_after_parsing_but_not_a_shared_clusters(prefect_harness):
    distributed = pytest.importorskip("distributed")
    own = Settings(workers=2)
    assert _workers_around_release.with_options(task_runner=task_runner_for(own))(2) == (42, 2, 0, 0)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        shared = Settings(workers=2, dask_address=cluster.scheduler_address)
        assert _workers_around_release.with_options(task_runner=task_runner_for(shared))(
            2, cluster.scheduler_address)[:3] == (42, 2, 2)
