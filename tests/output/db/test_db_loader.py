"""`load_snapshot` against real SQLite and DuckDB files and a real PostgreSQL server.

Every case compares the database's rows with the Parquet files of the snapshot it should hold.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from output.db import loader, load_snapshot
from output.db.engine import make_engine
from output.db.loader import LoadRefused
from output.db.tables import LOADED_TABLES, PRIMARY_KEYS, TABLES, state


def _plain(value: object) -> object:
    if isinstance(value, datetime):  # SQLite keeps UTC without an offset
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    if isinstance(value, tuple):
        return list(value)
    return value


def _sorted(rows: list[dict], table: str) -> list[dict]:
    keys = PRIMARY_KEYS[table]
    plain = [{k: _plain(v) for k, v in row.items()} for row in rows]
    return sorted(plain, key=lambda row: tuple(row[k] for k in keys))


def db_rows(db_url: str, table: str) -> list[dict]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return _sorted([dict(r) for r in conn.execute(sa.select(TABLES[table])).mappings()], table)
    finally:
        engine.dispose()


def parquet_rows(snapshot: Path, table: str) -> list[dict]:
    return _sorted(pq.read_table(snapshot / f"{table}.parquet").to_pylist(), table)


def held_snapshot(db_url: str) -> str | None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(state.c.snapshot_id)).scalar_one_or_none()
    finally:
        engine.dispose()


def assert_holds(db_url: str, snapshot: Path) -> None:
    for table in LOADED_TABLES:
        assert db_rows(db_url, table) == parquet_rows(snapshot, table), table
    assert held_snapshot(db_url) == snapshot.name


def counts(result) -> dict[str, tuple[int, int, int]]:
    return {t: (c.inserted, c.updated, c.deleted) for t, c in result.changes.items()}


def test_first_load_is_a_full_load(db_url, snapshots):
    first = snapshots.paths[0]
    result = load_snapshot(db_url, first)
    assert result.previous_snapshot_id is None and result.snapshot_id == first.name
    assert counts(result) == {"codes": (5, 0, 0), "sections": (8, 0, 0), "related_codes": (5, 0, 0)}
    assert_holds(db_url, first)


def test_loading_the_same_snapshot_again_changes_nothing(db_url, snapshots):
    first = snapshots.paths[0]
    load_snapshot(db_url, first)
    again = load_snapshot(db_url, first)
    assert again.total_changes == 0 and again.previous_snapshot_id == first.name
    assert_holds(db_url, first)


def test_next_snapshot_applies_exactly_its_difference(db_url, snapshots):
    first, second = snapshots.paths[:2]
    load_snapshot(db_url, first)
    result = load_snapshot(db_url, second)
    # codes: +36415 +0DTJ4ZZ; 99213 content and S72.001A provenance updated; J1100 gone.
    # sections: 99213 replaced (2 → 3), J1100's 1 deleted, 36415's 1 and 0DTJ4ZZ's 2 inserted.
    # related: J1100's 1 deleted, 27130 replaced (1 → 2), 0DTJ4ZZ's 1 inserted.
    assert counts(result) == {"codes": (2, 2, 1), "sections": (6, 0, 3), "related_codes": (3, 0, 2)}
    assert result.previous_snapshot_id == first.name
    assert_holds(db_url, second)

    changes = pq.read_table(second / "changes.parquet").to_pylist()
    kinds = {kind: {(c["code_system"], c["code"]) for c in changes if c["change"] == kind}
             for kind in ("added", "modified", "removed")}
    assert kinds == {"added": {("CPT", "36415"), ("ICD-10-PCS", "0DTJ4ZZ")},
                     "modified": {("CPT", "99213")}, "removed": {("HCPCS", "J1100")}}


def test_skipped_snapshots_are_diffed_against_what_the_database_holds(db_url, snapshots):
    first, _, third = snapshots.paths
    load_snapshot(db_url, first)
    result = load_snapshot(db_url, third)
    # Against 1 (not 2, which changes.parquet is relative to): J1100 never left, 36415 never
    # came; 0DTJ4ZZ is new; 99213 and S72.001A updated; D0120 and 27130 changed children only.
    assert counts(result) == {"codes": (1, 2, 0), "sections": (7, 0, 3), "related_codes": (3, 0, 1)}
    assert_holds(db_url, third)


def test_interrupted_load_leaves_the_previous_snapshot(db_url, snapshots, monkeypatch):
    first, second = snapshots.paths[:2]
    load_snapshot(db_url, first)
    apply_table = loader._apply_table

    def fail_after_codes(conn, name, plan, tables):
        if name != "codes":
            raise RuntimeError("simulated crash after the codes table")
        apply_table(conn, name, plan, tables)

    monkeypatch.setattr(loader, "_apply_table", fail_after_codes)
    with pytest.raises(RuntimeError, match="simulated crash"):
        load_snapshot(db_url, second)
    assert_holds(db_url, first)

    monkeypatch.setattr(loader, "_apply_table", apply_table)
    load_snapshot(db_url, second)
    assert_holds(db_url, second)


def test_older_snapshot_is_refused_unless_asked(db_url, snapshots):
    first, second = snapshots.paths[:2]
    load_snapshot(db_url, second)
    with pytest.raises(LoadRefused, match="older"):
        load_snapshot(db_url, first)
    assert_holds(db_url, second)
    load_snapshot(db_url, first, allow_older=True)
    assert_holds(db_url, first)


def test_a_folder_without_manifest_is_refused(tmp_path):
    with pytest.raises(LoadRefused, match="not a published snapshot"):
        load_snapshot(str(tmp_path / "db.sqlite"), tmp_path)


HOSPITAL_QUERIES = {  # the list-column predicates docs/loading.md gives for each database
    "sqlite": "EXISTS (SELECT 1 FROM json_each(settings) WHERE value = 'hospital')",
    "duckdb": "list_contains(CAST(settings AS VARCHAR[]), 'hospital')",
    "postgresql": "'hospital' = ANY(settings)",
}


def test_list_columns_answer_the_documented_queries(db_url, snapshots):
    result = load_snapshot(db_url, snapshots.paths[0])
    engine = make_engine(db_url)
    with engine.connect() as conn:
        found = conn.exec_driver_sql(
            f"SELECT code FROM codes WHERE {HOSPITAL_QUERIES[result.backend]} ORDER BY code").scalars().all()
    engine.dispose()
    assert found == ["27130", "J1100", "S72.001A"]
