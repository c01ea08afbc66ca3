"""compute_changes: content differences only, with an explicit removal policy."""

from __future__ import annotations

import numpy as np
import pandas as pd
from snapshot_samples import codes_frame, sha

from output.changes import compute_changes
from schemas.tables import columns
from schemas.validate import validate_table


def _by_code(changes: pd.DataFrame) -> dict[str, dict]:
    return {row["code"]: row for row in changes.to_dict("records")}


def test_everything_is_added_against_no_previous_snapshot():
    changes = compute_changes(None, codes_frame())
    assert list(changes.columns) == columns("changes")
    assert changes["change"].tolist() == ["added"] * 5
    assert changes["code"].tolist() == ["99213", "D0120", "J1100", "S72.001A", "0DTJ4ZZ"]  # sorted
    assert changes["previous_content_sha256"].isna().all()
    validate_table("changes", changes)


def test_new_bytes_same_content_is_no_change():
    current = codes_frame().assign(
        content_sha256=[sha(f"refetched {n}") for n in range(5)],
        fetched_at=pd.Timestamp("2024-06-01T00:00:00Z"),
        source_url="https://mirror.example.org/page",
    )
    assert compute_changes(codes_frame(), current).empty


def test_modified_lists_changed_content_columns():
    previous = codes_frame()
    current = codes_frame()
    hip = current.index[current["code"] == "S72.001A"][0]
    current.at[hip, "risks_rare"] = ["Blood clots"]
    current.at[hip, "summary"] = "New summary"
    current.at[hip, "content_sha256"] = sha("new bytes")
    visit = current.index[current["code"] == "99213"][0]
    current.at[visit, "duration_max_minutes"] = 30
    changes = _by_code(compute_changes(previous, current))
    assert set(changes) == {"S72.001A", "99213"}
    assert changes["S72.001A"]["change"] == "modified"
    assert changes["S72.001A"]["changed_fields"] == ["summary", "risks_rare"]
    assert changes["S72.001A"]["previous_content_sha256"] == previous.at[hip, "content_sha256"]
    assert changes["S72.001A"]["content_sha256"] == sha("new bytes")
    assert changes["99213"]["changed_fields"] == ["duration_max_minutes"]


def test_lists_compare_as_lists_and_nulls_equal_nulls():
    previous = codes_frame()
    previous["procedure_steps"] = previous["procedure_steps"].map(lambda v: np.array(v, dtype=object))
    current = codes_frame()
    current["name"] = current["name"].astype(object).where(current["name"].notna(), np.nan)
    assert compute_changes(previous, current).empty


def test_missing_codes_are_removed_by_default():
    changes = compute_changes(codes_frame(), codes_frame().iloc[1:])
    [removed] = changes.to_dict("records")
    assert removed["change"] == "removed" and removed["code"] == "99213"
    assert pd.isna(removed["content_sha256"]) and removed["changed_fields"] == []


def test_removal_needs_evidence_when_removed_keys_are_given():
    current = codes_frame()
    current = current[~current["code"].isin(["99213", "J1100"])]
    changes = compute_changes(codes_frame(), current, removed_keys={("HCPCS", "J1100")})
    assert changes[["code", "change"]].values.tolist() == [["J1100", "removed"]]


def test_added_modified_removed_together_sorted():
    previous = codes_frame().iloc[:4]
    current = codes_frame().iloc[1:].copy()
    current.loc[current["code"] == "D0120", "title"] = "Periodic oral evaluation"
    changes = compute_changes(previous, current)
    assert changes[["code", "change"]].values.tolist() == [
        ["99213", "removed"], ["D0120", "modified"], ["0DTJ4ZZ", "added"],
    ]
    validate_table("changes", changes)
