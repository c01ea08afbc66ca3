"""`medcodes.batch.tabulate` builds its frames and Arrow tables from column lists: the same
frames `pd.DataFrame(rows)` builds and the same tables `Table.from_pylist(rows)` builds."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from extract.local import read_local_file, walk_directory
from medcodes.batch import _columns, _frame, tabulate
from medcodes.pipeline import process_pages
from output.spool import PAGE_URL
from schemas.tables import arrow_schema

SAMPLES = Path(__file__).resolve().parents[2] / "medcodes" / "sample" / "pages"
WHEN = datetime(2024, 6, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def result():
    pages = [read_local_file(p) for p in walk_directory(SAMPLES)]
    outcome = process_pages(pages)
    assert len(outcome.records) >= 5
    return outcome


@pytest.mark.parametrize("rows", [
    [{"a": "x", "n": 1, "items": ["p"]}, {"a": None, "n": None, "items": []}],  # int + null → float
    [{"a": "x", "n": 1}, {"a": 2, "n": 3}],  # mixed types stay object
    [{"a": None}, {"a": None}],
    [{"items": ["p", "q"]}, {"items": ["r", "s"]}],  # equal-length lists stay one list per cell
    [{"when": WHEN, "a": "x"}, {"when": None, "a": "y"}],
])
def test_frame_from_columns_is_the_frame_from_rows(rows):
    pd.testing.assert_frame_equal(_frame(rows, _columns(rows)), pd.DataFrame(rows), check_exact=True)


@pytest.mark.parametrize("rows", [
    [{"a": 1, "b": 2}, {"a": 1}],
    [{"a": 1, "b": 2}, {"a": 1, "c": 2}],
])
def test_rows_with_different_keys_are_built_row_by_row(rows):
    assert _columns(rows) is None
    pd.testing.assert_frame_equal(_frame(rows, None), pd.DataFrame(rows))


def test_real_rows_give_the_same_frames_and_tables(result):
    tables = tabulate(result)
    passed = set(tables.codes.column("source_url").to_pylist())
    kept = [r for r in result.records if r.code_row["source_url"] in passed]
    for table, attr in (("sections", "section_rows"), ("related_codes", "related_rows")):
        pages = [(r.code_row["source_url"], getattr(r, attr)) for r in kept]
        rows = [row for _, page_rows in pages for row in page_rows]
        pd.testing.assert_frame_equal(_frame(rows, _columns(rows)), pd.DataFrame(rows), check_exact=True)
        expected = pa.Table.from_pylist(rows, schema=arrow_schema(table)).append_column(
            PAGE_URL, pa.array([url for url, page_rows in pages for _ in page_rows], pa.string()))
        assert getattr(tables, table).equals(expected, check_metadata=True)


def test_a_bad_code_row_takes_its_pages_rows_to_quarantine(result):
    bad = result.records[0]
    bad.code_row["risks_rare"] = ["Pain", " "]
    try:
        tables = tabulate(result)
    finally:
        bad.code_row["risks_rare"] = []
    url = bad.code_row["source_url"]
    assert url not in set(tables.codes.column("source_url").to_pylist())
    assert url not in set(tables.sections.column(PAGE_URL).to_pylist())
    [entry] = [q for q in tables.quarantine.to_pylist() if q["source_url"] == url]
    assert entry["reason"] == "schema:list_item_invalid" and "risks_rare" in entry["detail"]
