"""Bounded-memory publishing through the real flow: rows reach the snapshot through the
run's spool, sorted slice by slice, in fixed-size Parquet row groups, whatever the batch
and slice sizes, and an unchanged run reuses the previous snapshot's files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from flows.refresh import refresh
from medcodes import dataset
from medcodes.sample import sample_pages_dir

TABLES = ("codes", "sections", "related_codes", "quarantine", "changes")


def _snapshot(out: Path) -> Path:
    return (out / "latest").resolve()


@pytest.fixture(scope="module")
def small_groups(prefect_harness, tmp_path_factory) -> Path:
    """Small batches, row groups and sort slices (7 codes each: the tables are sorted in ~5 slices)."""
    out = tmp_path_factory.mktemp("small") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dataset, "CODES_PER_SLICE", 7)
        refresh(sources=None, out_dir=str(out), options={"batch_size": 3, "row_group_size": 4})
    return _snapshot(out)


@pytest.fixture(scope="module")
def one_batch(prefect_harness, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("big") / "out"
    refresh(sources=None, out_dir=str(out), options={"batch_size": 1000, "row_group_size": 10_000})
    return _snapshot(out)


@pytest.mark.parametrize("table", TABLES)
def test_every_row_group_holds_row_group_size_rows_but_the_last(small_groups, table):
    meta = pq.ParquetFile(small_groups / f"{table}.parquet").metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sum(sizes) == meta.num_rows
    assert all(size == 4 for size in sizes[:-1]) and 0 < sizes[-1] <= 4 if sizes else meta.num_rows == 0
    if table == "sections":
        assert len(sizes) > 50  # the sample has hundreds of section rows: many groups, none bigger


def test_batch_and_row_group_sizes_do_not_change_the_snapshot(small_groups, one_batch):
    for table in TABLES[:-1]:
        a = duckdb.sql(f"SELECT * FROM read_parquet('{small_groups / table}.parquet')").fetchall()
        b = duckdb.sql(f"SELECT * FROM read_parquet('{one_batch / table}.parquet')").fetchall()
        assert a == b and a, table
    assert (small_groups / "codes.jsonl").read_bytes() == (one_batch / "codes.jsonl").read_bytes()


def test_manifest_counts_match_the_files(small_groups):
    manifest = json.loads((small_groups / "manifest.json").read_text())
    for table in TABLES:
        assert manifest["row_counts"][table] == pq.ParquetFile(small_groups / f"{table}.parquet").metadata.num_rows


def test_the_spool_is_removed_and_a_killed_runs_spool_too(prefect_harness, tmp_path):
    out = tmp_path / "out"
    leftover = out / ".work-killedrun0"
    leftover.mkdir(parents=True)
    (leftover / "codes-000001.parquet").write_bytes(b"half a file")
    refresh(sources=None, out_dir=str(out))
    assert not list(out.glob(".work-*"))


def test_an_unchanged_run_links_the_previous_files_and_changes_nothing(prefect_harness, tmp_path):
    site, out = tmp_path / "site", tmp_path / "out"
    # every page reusable: no duplicate page (its outcome depends on the others, so it is re-parsed)
    shutil.copytree(sample_pages_dir(), site, ignore=shutil.ignore_patterns("*older-copy*"))
    first = refresh(sources=[str(site)], out_dir=str(out))
    assert first["rows"]["quarantine"] > 0  # parse failures carried over as well
    before = _snapshot(out)
    second = refresh(sources=[str(site)], out_dir=str(out))
    after = _snapshot(out)
    assert after != before and second["pages_reused"] == second["pages"] == first["pages"]
    for name in ("codes.parquet", "sections.parquet", "related_codes.parquet", "quarantine.parquet", "codes.jsonl"):
        assert os.stat(after / name).st_ino == os.stat(before / name).st_ino, name
    assert second["changes"] == {} and pq.read_table(after / "changes.parquet").num_rows == 0
    assert second["rows"] == {**first["rows"], "changes": 0}
    manifest = json.loads((after / "manifest.json").read_text())
    assert manifest["previous_snapshot_id"] == before.name
    digests = {f["name"]: f["sha256"] for f in json.loads((before / "manifest.json").read_text())["files"]}
    assert all(digests[f["name"]] == f["sha256"] for f in manifest["files"] if f["name"] != "changes.parquet")


def test_big_pages_make_smaller_batches(prefect_harness, tmp_path):
    """A batch ends at `batch_max_mb` of page bodies as well as at `batch_size` pages: six
    ~400 KB pages (sample pages padded with a comment) under a 1 MB cap are three parse
    tasks of two pages, under the 8 MB default one, and the snapshot is the same."""
    pages = tmp_path / "pages"
    pages.mkdir()
    padding = b"<!-- " + b"x" * 400_000 + b" -->"
    for i, source in enumerate(sorted((sample_pages_dir() / "html").rglob("*.html"))[:6]):
        body = source.read_bytes()
        end = body.rindex(b"</body>")
        (pages / f"{i}-{source.name}").write_bytes(body[:end] + padding + body[end:])
    batches, snapshots = {}, {}
    for cap in (1, 8):
        out = tmp_path / f"out-{cap}"
        summary = refresh(sources=[str(pages)], out_dir=str(out), options={"batch_size": 100, "batch_max_mb": cap})
        batches[cap], snapshots[cap] = summary["parse_batches"], _snapshot(out)
    assert batches == {1: 3, 8: 1}
    for table in TABLES[:-1]:
        a = duckdb.sql(f"SELECT * FROM read_parquet('{snapshots[1] / table}.parquet')").fetchall()
        b = duckdb.sql(f"SELECT * FROM read_parquet('{snapshots[8] / table}.parquet')").fetchall()
        assert a == b, table
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{snapshots[1]}/codes.parquet')").fetchall()[0][0] >= 5
