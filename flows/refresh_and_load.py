"""The `refresh_and_load` flow: publish a snapshot (the `refresh` subflow), then load it into a database.

Orchestration only: `flows.refresh.refresh` and `output.db.load_snapshot` do the work. The
load retries only on transient database errors (connection lost, lock held, serialization
conflict); a refused or failed load stops at once. A load is one transaction, so a retry
starts from the database's previous snapshot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.refresh import refresh, retry_if_transient
from output.db import load_snapshot


@task(name="load_snapshot", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30],
      retry_condition_fn=retry_if_transient)
def load_snapshot_task(db_url: str, snapshot_dir: str) -> dict:
    return load_snapshot(db_url, Path(snapshot_dir)).as_dict()


@flow(name="refresh_and_load", log_prints=False)
def refresh_and_load(
    sources: list[str] | None,
    out_dir: str | None,
    db_url: str,
    options: dict[str, Any] | None = None,
) -> dict:
    """Run `refresh` on `sources` into `out_dir`, then load the new snapshot into `db_url`.

    Returns `{"refresh": <refresh summary>, "load": <LoadResult as dict>}`.
    """
    summary = refresh(sources, out_dir, options)
    loaded = load_snapshot_task(db_url, summary["snapshot_dir"])
    get_run_logger().info("database now holds snapshot %s", loaded["snapshot_id"])
    return {"refresh": summary, "load": loaded}
