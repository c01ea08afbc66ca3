"""Atomic publication of a complete snapshot, and finding published ones.

Sequence (each step a small function): lock `DIR/.lock` → remove leftovers of killed runs →
validate and sort every table → write every file into `snapshots/.staging-<id>/`, fsync each
→ write `manifest.json` last → fsync the folder → rename it to `snapshots/<id>` (atomic on one
filesystem) → fsync `snapshots/` → point `latest` at it by `os.replace` of a temporary
relative symlink → fsync `DIR` → retention. A reader of `DIR/latest/` therefore only ever
sees a complete snapshot; a failure at any step leaves `latest` where it was.
Settings read: `out_dir`, `keep_snapshots` (and the writers' `parquet_compression`,
`row_group_size`).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extract.rawpage import utc_now
from medcodes.errors import PublishRefused
from medcodes.settings import Settings
from output.duck import bounded_duckdb, parquet
from output.jsonl import write_jsonl
from output.lock import output_lock
from output.manifest import (
    MANIFEST_NAME, NOTICE_NAME, FileEntry, build_manifest, file_entry, licenses_present,
    manifest_bytes, notice_text, notices_for,
)
from output.parquet import Tabular, read_parquet, sorted_arrow, write_parquet
from schemas.docs import SNAPSHOT_SCHEMA_NAME, codes_schema_text
from schemas.tables import TABLES
from schemas.validate import SchemaViolation, validate_table

JSONL_NAME = "codes.jsonl"
STAGING_PREFIX = ".staging-"
_LATEST_TMP_PREFIX = ".latest-"
_ID_FORMAT = "%Y%m%dT%H%M%S%fZ"
_ID_PATTERN = re.compile(r"^\d{8}T\d{12}Z$")


def snapshot_id_for(created_at: datetime) -> str:
    """`YYYYMMDDTHHMMSSffffffZ` in UTC: sorts as time does, unique to the microsecond."""
    return created_at.astimezone(timezone.utc).strftime(_ID_FORMAT)


def publish_snapshot(settings: Settings, tables: Mapping[str, Tabular], **options: Any) -> Path:
    """Lock the output directory and publish (`options` as for `publish_locked`).

    Raises `OutputLocked` when another run holds the lock, `PublishRefused` when the snapshot
    id exists already, `SchemaViolation` when a table does not match its schema.
    """
    with output_lock(settings.out_dir):
        return publish_locked(settings, tables, **options)


def publish_locked(
    settings: Settings,
    tables: Mapping[str, Tabular],
    *,
    created_at: datetime | None = None,
    sources: Sequence[str] = (),
    stale_codes: Sequence[tuple[str, str]] = (),
    pages_seen: int | None = None,
) -> Path:
    """`publish_snapshot` for a caller that already holds `output_lock(settings.out_dir)`."""
    arrow_tables = prepare_tables(tables)
    return publish_staged(
        settings, lambda staging: write_tables(staging, arrow_tables, settings), created_at=created_at,
        sources=sources, stale_codes=stale_codes, pages_seen=pages_seen,
    )


def publish_staged(
    settings: Settings,
    write_data: Callable[[Path], object],
    *,
    created_at: datetime | None = None,
    sources: Sequence[str] = (),
    stale_codes: Sequence[tuple[str, str]] = (),
    pages_seen: int | None = None,
) -> Path:
    """Publish the snapshot whose table files `write_data(staging)` writes (every
    `<table>.parquet` in contract order; `codes.jsonl` too if it has it already). The rest
    — codes.jsonl, the JSON Schema, NOTICE.txt, the manifest — is written here, then the
    staging folder is renamed into place and `latest` swapped. Caller holds the lock."""
    out_dir = settings.out_dir
    created_at = created_at or utc_now()
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware (UTC); a naive time would shift the snapshot id")
    snapshot_id = snapshot_id_for(created_at)
    remove_leftovers(out_dir)
    final = settings.snapshots_dir / snapshot_id
    if final.exists():
        raise PublishRefused(f"snapshot {snapshot_id} already exists in {settings.snapshots_dir}")
    previous = latest_snapshot(out_dir)
    staging = settings.snapshots_dir / f"{STAGING_PREFIX}{snapshot_id}"
    staging.mkdir(parents=True)
    try:
        write_data(staging)
        files, counted = finish_files(staging, settings)
        manifest = build_manifest(
            snapshot_id=snapshot_id, created_at=created_at, tables=counted, files=files,
            sources=sources, previous_snapshot_id=previous.name if previous else None,
            stale_codes=stale_codes, pages_seen=pages_seen,
        )
        _write_durably(staging / MANIFEST_NAME, manifest_bytes(manifest))
        _fsync(staging)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync(settings.snapshots_dir)
    swap_latest(out_dir, snapshot_id)
    apply_retention(out_dir, settings.keep_snapshots)
    return final


def prepare_tables(tables: Mapping[str, Tabular]) -> dict[str, pa.Table]:
    """Every contract table, validated (a failure here is a bug) and in contract order."""
    missing = [name for name in TABLES if name not in tables]
    if missing:
        raise SchemaViolation(f"cannot publish without tables {missing}")
    prepared = {}
    for name in TABLES:
        data = tables[name]
        frame = data if isinstance(data, pd.DataFrame) else data.to_pandas()
        prepared[name] = sorted_arrow(validate_table(name, frame), name)
    return prepared


def write_tables(staging: Path, tables: Mapping[str, pa.Table], settings: Settings) -> None:
    """Every table of the snapshot as `<table>.parquet`."""
    for name, table in tables.items():
        write_parquet(table, name, staging / f"{name}.parquet", settings)


def counted_tables(snapshot_dir: Path) -> dict[str, pa.Table]:
    """Each table of a snapshot with only the columns its counts read (`code_system`,
    `license`, `reason`): what the manifest and the run summary count, without the rows' text."""
    wanted = {"codes": ["code_system", "license"], "quarantine": ["reason"], "changes": ["change"]}
    return {name: pq.read_table(snapshot_dir / f"{name}.parquet", columns=wanted.get(name, []))
            for name in TABLES}


def finish_files(staging: Path, settings: Settings) -> tuple[list[FileEntry], dict[str, pa.Table]]:
    """Write codes.jsonl (unless staged already), the JSON Schema and NOTICE.txt; fsync every
    file; return the manifest's file entries and the counted tables."""
    counted = counted_tables(staging)
    jsonl = staging / JSONL_NAME
    if not jsonl.exists():
        with bounded_duckdb(settings) as con:
            write_jsonl(con, *(parquet(staging / f"{name}.parquet") for name in ("codes", "sections", "related_codes")),
                        jsonl)
    entries = [_synced_entry(staging / f"{name}.parquet", table.num_rows) for name, table in counted.items()]
    entries.append(_synced_entry(jsonl, counted["codes"].num_rows))
    schema_path = staging / SNAPSHOT_SCHEMA_NAME  # lets consumers validate codes.jsonl offline
    _write_durably(schema_path, codes_schema_text().encode("utf-8"))
    entries.append(file_entry(schema_path, None))
    notices = notices_for(licenses_present(counted["codes"]))
    if notices:
        path = staging / NOTICE_NAME
        _write_durably(path, notice_text(notices).encode("utf-8"))
        entries.append(file_entry(path, None))
    return entries, counted


def swap_latest(out_dir: Path, snapshot_id: str) -> None:
    """Point `DIR/latest` at `snapshots/<id>` atomically, with a relative target so the
    directory can be moved or mounted elsewhere."""
    temp = out_dir / f"{_LATEST_TMP_PREFIX}{snapshot_id}.tmp"
    temp.unlink(missing_ok=True)
    os.symlink(f"snapshots/{snapshot_id}", temp)
    os.replace(temp, out_dir / "latest")
    _fsync(out_dir)


def remove_leftovers(out_dir: Path) -> None:
    """Staging folders and temporary links left by runs that were killed mid-publish."""
    snapshots = out_dir / "snapshots"
    for staging in snapshots.glob(f"{STAGING_PREFIX}*") if snapshots.is_dir() else ():
        shutil.rmtree(staging, ignore_errors=True)
    for temp in out_dir.glob(f"{_LATEST_TMP_PREFIX}*.tmp") if out_dir.is_dir() else ():
        temp.unlink(missing_ok=True)


def apply_retention(out_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` snapshots, never the one `latest` points at."""
    current = latest_snapshot(out_dir)
    doomed = [s for s in list_snapshots(out_dir)[:-keep] if current is None or s.resolve() != current]
    for snapshot in doomed:
        shutil.rmtree(snapshot)
    return doomed


def list_snapshots(out_dir: Path) -> list[Path]:
    """Complete published snapshots (they have a manifest), oldest first."""
    snapshots = out_dir / "snapshots"
    if not snapshots.is_dir():
        return []
    return sorted(
        p for p in snapshots.iterdir()
        if _ID_PATTERN.match(p.name) and (p / MANIFEST_NAME).is_file()
    )


def latest_snapshot(out_dir: Path) -> Path | None:
    """The folder `DIR/latest` points at (resolved), or None before the first publish."""
    link = out_dir / "latest"
    return link.resolve() if link.exists() else None


def read_snapshot_table(snapshot_dir: Path, table: str) -> pd.DataFrame:
    return read_parquet(snapshot_dir / f"{table}.parquet", table)


def _synced_entry(path: Path, rows: int) -> FileEntry:
    _fsync(path)
    return file_entry(path, rows)


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync(path: Path) -> None:
    """fsync a file or a directory (a directory's fsync makes renames inside it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
