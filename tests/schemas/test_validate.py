"""validate_codes turns bad rows into quarantine entries; validate_table treats any failure as a bug."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest
from snapshot_samples import codes_frame, sample_tables

from medcodes.errors import TerminalError
from schemas.tables import TABLES, columns
from schemas.validate import SchemaViolation, validate_codes, validate_table

SEEN = datetime(2024, 6, 1, tzinfo=timezone.utc)


def _row(frame: pd.DataFrame, code: str) -> int:
    return int(frame.index[frame["code"] == code][0])


def test_valid_batch_passes_whole_with_declared_dtypes():
    valid, quarantined = validate_codes(codes_frame(), seen_at=SEEN)
    assert quarantined == []
    assert len(valid) == 5 and list(valid.columns) == columns("codes")
    assert str(valid["duration_min_minutes"].dtype) == "Int32"
    assert str(valid["fetched_at"].dtype) == "datetime64[us, UTC]"


def test_columns_in_any_order_are_accepted():
    frame = codes_frame()
    valid, quarantined = validate_codes(frame[list(reversed(frame.columns))], seen_at=SEEN)
    assert quarantined == [] and list(valid.columns) == columns("codes")


@pytest.mark.parametrize(
    ("code", "column", "value", "reason"),
    [
        ("99213", "title", "   ", "schema:title_empty"),
        ("99213", "title", None, "schema:title_empty"),
        ("S72.001A", "code", "S72001A", "schema:code_format"),  # ICD-10-CM keeps its dot
        ("J1100", "code", "J11000", "schema:code_format"),
        ("J1100", "code_system", "", "schema:code_system_empty"),
        ("D0120", "license", "", "schema:license_unknown"),
        ("0DTJ4ZZ", "source_url", None, "schema:source_url_empty"),
        ("0DTJ4ZZ", "duration_min_minutes", -5, "schema:duration_range"),
        ("0DTJ4ZZ", "content_sha256", "not-a-digest", "schema:content_sha256_invalid"),
    ],
)
def test_each_check_quarantines_only_its_row(code, column, value, reason):
    frame = codes_frame()
    frame[column] = frame[column].astype(object)
    frame.at[_row(frame, code), column] = value
    valid, quarantined = validate_codes(frame, seen_at=SEEN)
    assert len(valid) == 4 and code not in set(valid["code"])
    [entry] = quarantined
    assert entry.reason == reason
    assert entry.stage == "validate" and entry.seen_at == SEEN
    assert column in entry.detail


def test_duration_min_above_max_names_both_values():
    frame = codes_frame()
    i = _row(frame, "D0120")
    frame.at[i, "duration_min_minutes"], frame.at[i, "duration_max_minutes"] = 90, 30
    _, [entry] = validate_codes(frame, seen_at=SEEN)
    assert entry.reason == "schema:duration_range"
    assert "duration_min_minutes=90" in entry.detail and "duration_max_minutes=30" in entry.detail
    assert entry.source_url == "https://codes.example.org/hcpcs/D0120"
    assert entry.content_sha256 == frame.at[i, "content_sha256"]


@pytest.mark.parametrize("items", [["Pain", ""], ["Pain", None], ["Pain", 3], None, "Pain"])
def test_list_columns_need_lists_of_non_empty_strings(items):
    frame = codes_frame()
    frame.at[_row(frame, "S72.001A"), "risks_rare"] = items
    valid, [entry] = validate_codes(frame, seen_at=SEEN)
    assert entry.reason == "schema:list_item_invalid" and "risks_rare" in entry.detail
    assert len(valid) == 4


def test_one_entry_per_row_with_every_failure_in_the_detail():
    frame = codes_frame()
    i = _row(frame, "99213")
    frame.at[i, "title"] = ""
    frame.at[i, "code"] = "9921"
    valid, [entry] = validate_codes(frame, seen_at=SEEN)
    assert entry.reason == "schema:code_format"  # first failing check in column order
    assert "title_empty" in entry.detail and "code_format" in entry.detail
    assert len(valid) == 4


def test_many_bad_rows_in_a_large_batch():
    frame = pd.concat([codes_frame()] * 400, ignore_index=True)
    frame["code"] = [f"{n:05d}" for n in range(len(frame))]
    frame["code_system"] = "CPT"
    frame.loc[frame.index % 3 == 0, "title"] = ""
    valid, quarantined = validate_codes(frame, seen_at=SEEN)
    assert len(quarantined) == 667 and len(valid) == 2000 - 667
    assert {e.reason for e in quarantined} == {"schema:title_empty"}


def test_duplicate_keys_are_a_program_error():
    frame = pd.concat([codes_frame(), codes_frame().head(1)], ignore_index=True)
    with pytest.raises(SchemaViolation) as raised:
        validate_codes(frame, seen_at=SEEN)
    assert isinstance(raised.value, TerminalError)


def test_missing_column_is_a_program_error():
    with pytest.raises(SchemaViolation, match="missing columns"):
        validate_codes(codes_frame().drop(columns=["title"]), seen_at=SEEN)


@pytest.mark.parametrize("table", TABLES)
def test_validate_table_accepts_samples(table):
    assert list(validate_table(table, sample_tables()[table]).columns) == columns(table)


def test_validate_table_raises_with_a_readable_summary():
    changes = sample_tables()["changes"]
    changes.loc[0, "change"] = "renamed"
    with pytest.raises(SchemaViolation, match="change_unknown"):
        validate_table("changes", changes)
    quarantine = sample_tables()["quarantine"]
    quarantine.loc[0, "stage"] = "publish"
    with pytest.raises(SchemaViolation, match="stage_unknown"):
        validate_table("quarantine", quarantine)
