"""Which Prefect task runner executes the parse batches, from `Settings.workers` / `dask_address`.

Parsing is pure-Python CPU work, so threads cannot use a second core (the GIL): more than
one worker means processes, via a local Dask cluster with one single-threaded worker process
per core. An existing scheduler (`dask_address`, `tcp://host:port`) wins over both, for a
bigger machine or a shared cluster. Batches cross process boundaries by pickle: `RawPage`,
`QuarantineEntry` go as plain dataclasses, results come back as `BatchTables` of Arrow tables.

    refresh.with_options(task_runner=task_runner_for(settings))(sources, ...)
"""

from __future__ import annotations

from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from medcodes.settings import Settings


def dask_cluster_kwargs(workers: int) -> dict[str, Any]:
    """A `distributed.LocalCluster` of `workers` single-threaded processes, dashboard off
    (no port to clash with on a shared machine or in CI)."""
    return {"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None}


def task_runner_for(settings: Settings) -> TaskRunner:
    """Threads in this process for one worker; a Dask cluster (local, or at an address) otherwise."""
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner  # imported here: Dask costs ~1 s to import

        return DaskTaskRunner(address=settings.dask_address)
    if settings.workers > 1:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(cluster_kwargs=dask_cluster_kwargs(settings.workers))
    return ThreadPoolTaskRunner()
