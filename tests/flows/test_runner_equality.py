"""The published snapshot is the same whatever runs the parse batches: threads or Dask processes."""

from __future__ import annotations

import pandas as pd

from flows.refresh import refresh
from flows.runners import task_runner_for
from medcodes.settings import Settings

TABLES = ("codes", "sections", "related_codes", "quarantine")


def test_dask_workers_publish_the_same_rows_as_threads(prefect_harness, tmp_path):
    options = {"batch_size": 7}  # several batches, so Dask workers really share the work
    refresh(sources=None, out_dir=str(tmp_path / "threads"), options=options)
    dask_flow = refresh.with_options(task_runner=task_runner_for(Settings(workers=2)))
    dask_flow(sources=None, out_dir=str(tmp_path / "dask"), options={**options, "workers": 2})
    for table in TABLES:
        a = pd.read_parquet(tmp_path / "threads" / "latest" / f"{table}.parquet")
        b = pd.read_parquet(tmp_path / "dask" / "latest" / f"{table}.parquet")
        pd.testing.assert_frame_equal(a, b)
    assert ((tmp_path / "threads" / "latest" / "codes.jsonl").read_bytes()
            == (tmp_path / "dask" / "latest" / "codes.jsonl").read_bytes())
