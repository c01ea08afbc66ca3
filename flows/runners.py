"""Which Prefect task runner executes the parse batches, from `Settings.workers` / `dask_address`.

Parsing is pure-Python CPU work, so threads cannot use a second core (the GIL): more than
one worker means processes, via a local Dask cluster with one single-threaded worker process
per core. An existing scheduler (`dask_address`, `tcp://host:port`) wins over both, for a
bigger machine or a shared cluster. Batches cross process boundaries by pickle: `RawPage`,
`QuarantineEntry` go as plain dataclasses, results come back as `BatchTables` of Arrow tables.

    refresh.with_options(task_runner=task_runner_for(settings))(sources, ...)
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from medcodes.settings import Settings

if TYPE_CHECKING:
    import distributed


def dask_cluster_kwargs(workers: int) -> dict[str, Any]:
    """A `distributed.LocalCluster` of `workers` single-threaded processes, dashboard off,
    reporting to this process's API.

    The scheduler serves its other HTTP routes (health, metrics) even with the dashboard off,
    on port 8787 unless told otherwise: a second run on the same machine (or CI) found it
    taken and warned. Port 0 on the loopback lets the system choose a free one."""
    return {"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None,
            "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"}, "env": worker_api_env()}


def local_cluster(**cluster_kwargs: Any) -> "distributed.LocalCluster":
    """A `distributed.LocalCluster` whose workers fork from a process that has already
    imported the parse path (`flows.worker_preload`), with Dask's statistical profiler off.

    Why: started the default way (spawn), each worker imports ~190 MB of Python on its own;
    forked, the workers share those pages (about 90 MB less per worker, measured as PSS) and
    start with nothing to import. The profiler samples each worker's stack every 10 ms to
    draw a dashboard nobody looks at here (the dashboard is off) and keeps an hour of samples.
    Where there is no forkserver (Windows), workers are spawned as usual.
    """
    import multiprocessing

    import dask
    import distributed
    from distributed.utils import get_mp_context

    forkserver = "forkserver" in multiprocessing.get_all_start_methods()
    with dask.config.set({"distributed.worker.profile.enabled": False,
                          "distributed.worker.multiprocessing-method": "forkserver" if forkserver else "spawn"}):
        if forkserver:
            get_mp_context().set_forkserver_preload(["flows.worker_preload"])
        return distributed.LocalCluster(**cluster_kwargs)


def worker_api_env() -> dict[str, str]:
    """`PREFECT_API_URL` of the API this process reports to, for the local Dask workers.

    Why: a worker process that finds no API URL starts its own ephemeral Prefect server to
    record its task runs; profiled, that start-up (imports, SQLite migrations, uvicorn) took
    more CPU than parsing on a 3,000-page run. `medcodes run` has exported the URL of the
    server it started (`medcodes.api_server`); a flow called with no server configured
    starts here the ephemeral server this process would start anyway (Prefect keeps one per
    process) and shares it. An existing cluster (`dask_address`) has its own environment: set
    `PREFECT_API_URL` on its workers.
    """
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        server.start()
        url = server.api_url
    return {"PREFECT_API_URL": url}


def release_local_workers(settings: Settings) -> None:
    """Close the workers of the local Dask cluster this flow run started, once parsing is done.

    Why: the rest of the run (selecting, sorting, writing the snapshot) happens in this
    process, and the idle workers (each ~200 MB once they have parsed) and the forkserver
    they forked from would sit through publishing. Only a cluster the task runner started from
    `cluster_kwargs` (what `task_runner_for` builds) is touched: never one reached by address
    or handed over, which other work may share. Call it only after a batch was submitted:
    the runner starts its cluster on the first one.
    """
    if settings.workers <= 1 or settings.dask_address:
        return
    from prefect.context import FlowRunContext
    from prefect_dask import DaskTaskRunner

    context = FlowRunContext.get()
    runner = context.task_runner if context is not None else None
    if isinstance(runner, DaskTaskRunner) and runner.address is None and runner.cluster_kwargs:
        _close_workers(runner.client.cluster)
        _stop_forkserver()


def _close_workers(cluster: "distributed.SpecCluster", timeout: float = 30.0) -> None:
    """Scale the cluster to no workers and wait until their processes are gone.

    Why not `Client.retire_workers(close_workers=True)`: then each worker closes itself, and
    its nanny's stop-queue thread, still reading, sometimes met the queue closed under it at
    exit and logged "Worker process died unexpectedly" (`OSError: Bad file descriptor`) at
    ERROR, after waiting 2 s for that thread. Scaling down has each nanny stop its worker
    through that queue.
    """
    cluster.scale(0)
    deadline = time.monotonic() + timeout
    while cluster.workers and time.monotonic() < deadline:
        time.sleep(0.05)


def _stop_forkserver() -> None:
    """Stop the forkserver the local workers forked from (`local_cluster`), if one runs.

    Why: with its workers gone, nobody shares its ~200 MB of imports any more, and it would
    sit through publishing. The next local cluster starts a new one. (`_stop` is private to
    `multiprocessing`, there since Python 3.8: if it is ever gone, the forkserver is simply
    left to exit with this process.)
    """
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


def task_runner_for(settings: Settings) -> TaskRunner:
    """Threads in this process for one worker; a Dask cluster (local, or at an address) otherwise."""
    if settings.dask_address:
        from prefect_dask import DaskTaskRunner  # imported here: Dask costs ~1 s to import

        _batches_travel_in_their_tasks()
        return DaskTaskRunner(address=settings.dask_address)
    if settings.workers > 1:
        from prefect_dask import DaskTaskRunner

        _batches_travel_in_their_tasks()
        return DaskTaskRunner(cluster_class=local_cluster, cluster_kwargs=dask_cluster_kwargs(settings.workers))
    return ThreadPoolTaskRunner()


def _batches_travel_in_their_tasks() -> None:
    """Raise Dask's large-graph warning threshold (10 MB) above a parse batch's size.

    Why: each task carries its batch's pages (~15 MB per 1,000 pages, sent out-of-band:
    `medcodes.pipeline.PageBatch`), by design: the pages are read in this process and used
    once, so there is nothing to `scatter` or load on the workers. Dask warned, in five lines
    on stderr, for every batch of a run."""
    import dask

    dask.config.set({"distributed.admin.large-graph-warning-threshold": "1GiB"})
