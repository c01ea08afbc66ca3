"""`manifest.json`: what a snapshot holds, how it was made, and how to check its files.

Written last into the staging folder, so a snapshot with a manifest is a complete one.
Notice texts come from `transform.codes.license_notice` (one place for license data).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from medcodes.version import PARSER_VERSION, SCHEMA_VERSION
from output.jsonl import iso_utc
from transform.codes import license_notice

MANIFEST_NAME = "manifest.json"
NOTICE_NAME = "NOTICE.txt"


@dataclass(frozen=True)
class FileEntry:
    """One published file: `rows` is None for files that are not tables (NOTICE.txt)."""

    name: str
    bytes: int
    rows: int | None
    sha256: str


def file_entry(path: Path, rows: int | None) -> FileEntry:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return FileEntry(path.name, path.stat().st_size, rows, digest.hexdigest())


def _value_counts(table: pa.Table, column: str) -> dict[str, int]:
    if table.num_rows == 0:
        return {}
    counts = pc.value_counts(table[column]).to_pylist()
    return {item["values"]: item["counts"] for item in sorted(counts, key=lambda c: str(c["values"]))}


def licenses_present(codes: pa.Table) -> list[str]:
    return sorted(_value_counts(codes, "license"))


def notices_for(licenses: Iterable[str]) -> dict[str, str]:
    """License → notice text, for the licenses present that require one."""
    return {lic: notice for lic in sorted(licenses) if (notice := license_notice(lic))}


def notice_text(notices: Mapping[str, str]) -> str:
    """NOTICE.txt: one block per license present that requires a notice."""
    blocks = [f"[{license}]\n{text}\n" for license, text in notices.items()]
    header = "This snapshot contains licensed descriptor text. The following notices apply.\n"
    return header + "\n" + "\n".join(blocks)


def build_manifest(
    *,
    snapshot_id: str,
    created_at: datetime,
    tables: Mapping[str, pa.Table],
    files: Sequence[FileEntry],
    sources: Sequence[str] = (),
    previous_snapshot_id: str | None = None,
    stale_codes: Sequence[tuple[str, str]] = (),
    pages_seen: int | None = None,
) -> dict:
    """The manifest as a JSON-ready dict (key order is the order written).

    `stale_codes` are codes carried over from an earlier snapshot because their page failed
    transiently this run. Quarantine counts per reason come from the quarantine table.
    """
    codes = tables["codes"]
    licenses = licenses_present(codes)
    return {
        "snapshot_id": snapshot_id,
        "created_at": iso_utc(created_at),
        "schema_version": SCHEMA_VERSION,
        "parser_version": PARSER_VERSION,
        "previous_snapshot_id": previous_snapshot_id,
        "sources": list(sources),
        "row_counts": {name: table.num_rows for name, table in tables.items()},
        "code_system_counts": _value_counts(codes, "code_system"),
        "licenses": licenses,
        "notices": notices_for(licenses),
        "files": [asdict(entry) for entry in files],
        "stale_codes": [{"code_system": s, "code": c} for s, c in sorted(stale_codes)],
        "run_stats": {
            "pages_seen": pages_seen,
            "quarantined": tables["quarantine"].num_rows,
            "quarantined_by_reason": _value_counts(tables["quarantine"], "reason"),
        },
    }


def manifest_bytes(manifest: Mapping) -> bytes:
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_manifest(snapshot_dir: Path) -> dict:
    return json.loads((snapshot_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
