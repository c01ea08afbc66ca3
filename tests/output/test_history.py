"""output.history: listing kept snapshots, diffing any two, one code's history, integrity checks.

Snapshots are published for real (`publish_snapshot`) from hand-made tables; three of them:
S0 the five sample codes; S1 changes 99213's content, drops J1100, adds CDT D0120 (so D0120
exists in two systems) and gives 0DTJ4ZZ new bytes but the same content; S2 brings J1100
back and drops 0DTJ4ZZ.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from snapshot_samples import FETCHED, codes_frame, sample_tables, sha

from medcodes.errors import TerminalError
from medcodes.settings import Settings
from output.changes import compute_changes
from output.history import (
    UnknownCode, UnknownSnapshot, code_history, diff_snapshots, resolve_snapshot, snapshot_infos,
)
from output.manifest import MANIFEST_NAME, file_entry, read_manifest
from output.verify import verify_snapshot
from output.publish import publish_snapshot
from schemas.tables import arrow_schema


def _s1_codes() -> pd.DataFrame:
    codes = codes_frame()
    at = codes["code"] == "99213"
    codes.loc[at, "title"] = "Office visit, established patient, low complexity"
    codes.loc[at, "risks_common"] = pd.Series([["None expected"]], index=codes.index[at])
    codes.loc[codes["code"] == "0DTJ4ZZ", "content_sha256"] = sha("new bytes, same content")
    cdt = codes[codes["code"] == "D0120"].assign(code_system="CDT")
    return pd.concat([codes[codes["code"] != "J1100"], cdt], ignore_index=True)


def _s2_codes() -> pd.DataFrame:
    s1 = _s1_codes()
    j1100 = codes_frame()[lambda f: f["code"] == "J1100"]
    return pd.concat([s1[s1["code"] != "0DTJ4ZZ"], j1100], ignore_index=True)


def _publish(settings: Settings, codes: pd.DataFrame, previous: pd.DataFrame | None, day: int) -> Path:
    tables = sample_tables()
    keys = set(zip(codes["code_system"], codes["code"]))
    for name in ("sections", "related_codes"):
        frame = tables[name]
        tables[name] = frame[[k in keys for k in zip(frame["code_system"], frame["code"])]]
    tables["codes"] = codes
    tables["changes"] = compute_changes(previous, codes)
    return publish_snapshot(settings, tables, created_at=FETCHED + timedelta(days=day), sources=["test"])


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("history") / "data"
    settings = Settings(out_dir=out)
    s0, s1, s2 = codes_frame(), _s1_codes(), _s2_codes()
    ids = [_publish(settings, s0, None, 0).name, _publish(settings, s1, s0, 1).name,
           _publish(settings, s2, s1, 2).name]
    return out, ids


def test_snapshot_infos_reads_each_manifest(history):
    out, ids = history
    infos = snapshot_infos(out)
    assert [i.snapshot_id for i in infos] == ids
    assert [i.is_latest for i in infos] == [False, False, True]
    assert [i.change_counts for i in infos] == [
        {"added": 5}, {"added": 1, "modified": 1, "removed": 1}, {"added": 1, "removed": 1},
    ]
    assert infos[1].row_counts["codes"] == 5 and infos[1].code_system_counts["CDT"] == 1
    assert infos[2].previous_snapshot_id == ids[1]
    assert all(i.quarantined == 2 and i.stale == 0 and i.parser_version for i in infos)


def test_snapshot_infos_of_an_empty_folder(tmp_path):
    assert snapshot_infos(tmp_path) == []


@pytest.mark.parametrize("ref, index", [("latest", 2), ("latest~0", 2), ("latest~1", 1), ("latest~2", 0)])
def test_resolve_relative_refs(history, ref, index):
    out, ids = history
    assert resolve_snapshot(out, ref).name == ids[index]


def test_resolve_full_id_and_unique_prefix(history):
    out, ids = history
    assert resolve_snapshot(out, ids[0]).name == ids[0]
    assert resolve_snapshot(out, ids[1][:8]).name == ids[1]  # the day differs: a unique prefix


@pytest.mark.parametrize("ref, message", [
    ("latest~3", "only 2"), ("2024", "ambiguous"), ("1999", "no kept snapshot"), ("", "no kept snapshot"),
])
def test_resolve_errors_are_clear(history, ref, message):
    out, _ = history
    with pytest.raises(UnknownSnapshot, match=message) as caught:
        resolve_snapshot(out, ref)
    assert isinstance(caught.value, TerminalError)


def test_resolve_without_snapshots(tmp_path):
    with pytest.raises(UnknownSnapshot, match="no published snapshot"):
        resolve_snapshot(tmp_path, "latest")


def _by_key(changes: pd.DataFrame) -> dict[tuple[str, str], tuple[str, list[str]]]:
    return {(r.code_system, r.code): (r.change, list(r.changed_fields)) for r in changes.itertuples()}


def test_diff_between_non_adjacent_snapshots(history):
    out, ids = history
    changes = _by_key(diff_snapshots(out, ids[0], "latest"))
    assert changes == {
        ("CPT", "99213"): ("modified", ["title", "risks_common"]),
        ("CDT", "D0120"): ("added", []),
        ("ICD-10-PCS", "0DTJ4ZZ"): ("removed", []),
    }  # J1100 left and came back unchanged: no change; new bytes alone are no change either


def test_diff_backwards_and_adjacent(history):
    out, ids = history
    assert _by_key(diff_snapshots(out, "latest", ids[0]))[("CDT", "D0120")] == ("removed", [])
    adjacent = _by_key(diff_snapshots(out, "latest~2", "latest~1"))
    assert adjacent[("HCPCS", "J1100")] == ("removed", [])
    assert diff_snapshots(out, "latest", "latest").empty


def test_code_history_follows_a_code_that_left_and_came_back(history):
    out, ids = history
    [h] = code_history(out, "j 1100.")
    assert (h.code_system, h.code) == ("HCPCS", "J1100")
    assert [(e.snapshot_id, e.present, e.change) for e in h.events] == [
        (ids[0], True, "added"), (ids[1], False, "removed"), (ids[2], True, "added"),
    ]
    assert h.current["title"].startswith("Injection, dexamethasone")


def test_code_history_reports_modified_fields_and_current_record(history):
    out, _ = history
    [h] = code_history(out, "99213", system="CPT4 code")
    assert [(e.change, e.changed_fields) for e in h.events] == [
        ("added", []), ("modified", ["title", "risks_common"]), (None, []),
    ]
    assert h.current["risks_common"] == ["None expected"]
    assert h.current["procedure_steps"] == ["Review history", "Examine the patient", "Adjust the treatment plan"]
    assert {r["related_code"] for r in h.related} == {"99212", "99214"}


def test_code_history_canonicalizes_icd10cm_and_lists_related(history):
    out, _ = history
    [h] = code_history(out, "s72001a")
    assert (h.code_system, h.code) == ("ICD-10-CM", "S72.001A")
    assert h.related[0]["related_code"] == "S72.002A"
    assert all(e.present for e in h.events)


def test_code_in_two_systems_shows_both_unless_one_is_named(history):
    out, _ = history
    both = code_history(out, "D0120")
    assert [(h.code_system, h.code) for h in both] == [("CDT", "D0120"), ("HCPCS", "D0120")]
    assert [e.present for e in both[0].events] == [False, True, True]
    [hcpcs] = code_history(out, "d0120", system="hcpcs")
    assert hcpcs.code_system == "HCPCS"


def test_code_removed_from_latest_has_history_but_no_current_record(history):
    out, _ = history
    [h] = code_history(out, "0DTJ4ZZ")
    assert h.current is None and h.related == []
    assert [(e.present, e.change) for e in h.events] == [(True, "added"), (True, None), (False, "removed")]


@pytest.mark.parametrize("code, system", [("99999", None), ("S72.001A", "CPT")])
def test_unknown_code_is_a_clear_error(history, code, system):
    out, _ = history
    with pytest.raises(UnknownCode, match="is not in"):
        code_history(out, code, system)


# --- verify_snapshot ---------------------------------------------------------------------

@pytest.fixture
def snapshot_copy(history, tmp_path) -> Path:
    out, ids = history
    copy = tmp_path / ids[2]
    shutil.copytree(out / "snapshots" / ids[2], copy)
    return copy


def test_an_intact_snapshot_verifies(history):
    out, ids = history
    assert all(verify_snapshot(out / "snapshots" / i) == [] for i in ids)


def test_a_flipped_byte_is_a_sha256_mismatch(snapshot_copy):
    path = snapshot_copy / "codes.jsonl"
    data = bytearray(path.read_bytes())
    data[10] ^= 0x01
    path.write_bytes(bytes(data))
    problems = verify_snapshot(snapshot_copy)
    assert len(problems) == 1 and problems[0].startswith("codes.jsonl: sha256")


def test_missing_extra_and_truncated_files_are_reported(snapshot_copy):
    (snapshot_copy / "related_codes.parquet").unlink()
    (snapshot_copy / "stray.txt").write_text("x")
    quarantine = snapshot_copy / "quarantine.parquet"
    quarantine.write_bytes(quarantine.read_bytes()[:100])
    problems = "\n".join(verify_snapshot(snapshot_copy))
    assert "related_codes.parquet: listed in the manifest but missing" in problems
    assert "stray.txt: present but not listed" in problems
    assert "quarantine.parquet: 100 bytes" in problems and "quarantine.parquet: unreadable" in problems


def _rewrite(snapshot: Path, name: str, write) -> None:
    """Replace a file and make the manifest agree with it, as a careless tool would."""
    write(snapshot / name)
    manifest = read_manifest(snapshot)
    for entry in manifest["files"]:
        if entry["name"] == name:
            fresh = file_entry(snapshot / name, entry["rows"])
            entry.update(bytes=fresh.bytes, sha256=fresh.sha256)
    (snapshot / MANIFEST_NAME).write_text(json.dumps(manifest))


def test_schema_and_row_count_violations_are_found_even_when_hashes_agree(snapshot_copy):
    codes = pq.read_table(snapshot_copy / "codes.parquet")
    bad = codes.set_column(codes.schema.get_field_index("code"), "code", pa.array(["ABC"] * codes.num_rows))
    _rewrite(snapshot_copy, "codes.parquet", lambda p: pq.write_table(bad.cast(arrow_schema("codes")), p))
    sections = pq.read_table(snapshot_copy / "sections.parquet")
    _rewrite(snapshot_copy, "sections.parquet", lambda p: pq.write_table(sections.slice(1), p))
    problems = "\n".join(verify_snapshot(snapshot_copy))
    assert "codes.parquet: schema:" in problems and "code_format" in problems
    assert f"sections.parquet: {sections.num_rows - 1} rows, manifest says {sections.num_rows}" in problems


def test_unsorted_rows_are_found(snapshot_copy):
    related = pq.read_table(snapshot_copy / "related_codes.parquet")
    reversed_rows = related.take(list(range(related.num_rows - 1, -1, -1)))
    _rewrite(snapshot_copy, "related_codes.parquet", lambda p: pq.write_table(reversed_rows, p))
    assert verify_snapshot(snapshot_copy) == ["related_codes.parquet: rows are not in the contract sort order"]


def test_unreadable_manifest(snapshot_copy):
    (snapshot_copy / MANIFEST_NAME).write_text("{not json")
    assert verify_snapshot(snapshot_copy)[0].startswith("manifest.json unreadable")


def test_out_dir_reached_through_a_symlink(history, tmp_path):
    out, ids = history
    link = tmp_path / "mounted"
    link.symlink_to(out)
    [h] = code_history(link, "99213")
    assert h.current is not None and h.related
    assert [i.is_latest for i in snapshot_infos(link)] == [False, False, True]
