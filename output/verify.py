"""Is a published snapshot still intact? Its files against its manifest, its tables against the schemas.

Read-only; used by `medcodes validate` and by the crash-safety tests. Problems are returned as
sentences (an empty list means intact) so a caller can show every one, not just the first.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from output.manifest import file_entry, read_manifest
from output.parquet import sorted_arrow, to_arrow
from output.publish import JSONL_NAME, read_snapshot_table
from schemas.tables import TABLES
from schemas.validate import SchemaViolation, validate_table


def verify_snapshot(snapshot_dir: Path) -> list[str]:
    """Every way a published snapshot differs from its manifest and the schemas, as sentences
    (empty when intact): missing/extra files, bytes, sha256, rows, schema, sort order."""
    try:
        manifest = read_manifest(snapshot_dir)
    except (OSError, ValueError) as exc:
        return [f"manifest.json unreadable: {exc}"]
    problems: list[str] = []
    listed = {entry["name"]: entry for entry in manifest.get("files", [])}
    expected = {f"{t}.parquet" for t in TABLES} | {JSONL_NAME}
    present = {p.name for p in snapshot_dir.iterdir() if p.is_file()} - {"manifest.json"}
    problems += [f"{name}: required file not listed in the manifest" for name in sorted(expected - set(listed))]
    problems += [f"{name}: present but not listed in the manifest" for name in sorted(present - set(listed))]
    for name, entry in listed.items():
        path = snapshot_dir / name
        if not path.is_file():
            problems.append(f"{name}: listed in the manifest but missing")
            continue
        actual = file_entry(path, None)
        if actual.bytes != entry["bytes"]:
            problems.append(f"{name}: {actual.bytes} bytes, manifest says {entry['bytes']}")
        if actual.sha256 != entry["sha256"]:
            problems.append(f"{name}: sha256 {actual.sha256}, manifest says {entry['sha256']}")
        if entry.get("rows") is not None:
            problems += _check_rows(path, name, entry["rows"])
    for table in TABLES:
        if f"{table}.parquet" in listed and (snapshot_dir / f"{table}.parquet").is_file():
            problems += _check_table(snapshot_dir, table, manifest.get("row_counts", {}).get(table))
    return problems


def _check_rows(path: Path, name: str, rows: int) -> list[str]:
    try:
        if name == JSONL_NAME:
            lines = path.read_text(encoding="utf-8").splitlines()
            for line in lines:
                json.loads(line)
            actual = len(lines)
        else:
            actual = pq.ParquetFile(str(path)).metadata.num_rows
    except (ValueError, OSError, pa.ArrowException) as exc:
        return [f"{name}: unreadable ({exc})"]
    return [] if actual == rows else [f"{name}: {actual} rows, manifest says {rows}"]


def _check_table(snapshot_dir: Path, table: str, rows: int | None) -> list[str]:
    """Re-validate one table against its schema and contract sort order."""
    try:
        frame = validate_table(table, read_snapshot_table(snapshot_dir, table))
    except SchemaViolation as exc:
        return [f"{table}.parquet: schema: {exc}"]
    except (ValueError, OSError, pa.ArrowException) as exc:
        return [f"{table}.parquet: unreadable ({exc})"]
    problems = [] if rows is None or rows == len(frame) else [
        f"{table}.parquet: {len(frame)} rows, manifest row_counts says {rows}"]
    data = to_arrow(frame, table)
    if not sorted_arrow(data, table).equals(data):
        problems.append(f"{table}.parquet: rows are not in the contract sort order")
    return problems
