"""The real `refresh` flow (Prefect test harness) on the bundled sample, read back as users do."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.local import walk_directory
from flows.refresh import refresh
from medcodes.sample import sample_pages_dir
from schemas.tables import TABLES, arrow_schema
from schemas.validate import validate_table

SAMPLE_PAGES = [Path(p) for p in walk_directory(sample_pages_dir())]


@pytest.fixture(scope="module")
def published(prefect_harness, tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("out")
    summary = refresh(sources=None, out_dir=str(out))
    return summary, out


def test_every_sample_page_is_a_row_or_a_quarantine_entry(published):
    summary, out = published
    codes = pd.read_parquet(out / "latest" / "codes.parquet")
    quarantine = pd.read_parquet(out / "latest" / "quarantine.parquet")
    seen = set(codes["source_url"]) | set(quarantine["source_url"])
    assert seen == {p.resolve().as_uri() for p in SAMPLE_PAGES}
    assert len(codes) + len(quarantine) == len(SAMPLE_PAGES) == summary["pages"]


def test_quarantine_shows_each_kind_of_bad_sample_page(published):
    _, out = published
    reasons = set(pd.read_parquet(out / "latest" / "quarantine.parquet")["reason"])
    assert {"code_not_found", "empty_page", "not_html", "duplicate_code", "schema:code_format",
            "title_not_found"} <= reasons


@pytest.mark.parametrize("table", TABLES)
def test_published_tables_read_back_with_exact_types_and_revalidate(published, table):
    _, out = published
    path = out / "latest" / f"{table}.parquet"
    assert pq.read_schema(path).remove_metadata() == arrow_schema(table).remove_metadata()
    frame = pd.read_parquet(path)
    validate_table(table, frame)
    assert duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0] == len(frame)


def test_tables_are_sorted_and_codes_unique(published):
    _, out = published
    codes = pd.read_parquet(out / "latest" / "codes.parquet")
    keys = list(zip(codes["code_system"], codes["code"]))
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    sections = duckdb.sql(
        f"select code_system, code, ordinal from read_parquet('{out}/latest/sections.parquet')"
    ).fetchall()
    assert sections == sorted(sections)


def test_manifest_lists_every_file_with_its_digest(published):
    summary, out = published
    snapshot = out / "latest"
    manifest = json.loads((snapshot / "manifest.json").read_text())
    assert manifest["snapshot_id"] == summary["snapshot_id"] == snapshot.resolve().name
    for entry in manifest["files"]:
        assert hashlib.sha256((snapshot / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
    assert "ama_cpt" in manifest["licenses"] and (snapshot / "NOTICE.txt").exists()


def test_same_input_gives_identical_rows(published, tmp_path):
    _, first_out = published
    refresh(sources=None, out_dir=str(tmp_path))
    for table in ("codes", "sections", "related_codes", "quarantine"):
        a = pd.read_parquet(first_out / "latest" / f"{table}.parquet")
        b = pd.read_parquet(tmp_path / "latest" / f"{table}.parquet")
        pd.testing.assert_frame_equal(a, b)
    assert (first_out / "latest" / "codes.jsonl").read_bytes() == (tmp_path / "latest" / "codes.jsonl").read_bytes()


def test_second_run_on_same_input_reports_no_changes(published):
    summary, out = published
    again = refresh(sources=None, out_dir=str(out))
    assert again["previous_snapshot_id"] == summary["snapshot_id"]
    assert again["changes"] == {}
    assert len(pd.read_parquet(out / "latest" / "changes.parquet")) == 0


def test_summary_times_each_stage_in_the_order_they_ran(published):
    summary, _ = published
    stages = summary["stage_seconds"]
    assert list(stages) == ["reading sources", "parsing", "validating", "publishing"]
    assert all(seconds >= 0 for seconds in stages.values()) and stages["parsing"] > 0
