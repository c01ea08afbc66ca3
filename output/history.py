"""Snapshot history for people: what each kept snapshot holds, what changed between any two,
and one code's story across them (integrity checks live in `output.verify`).

Read-only functions over published folders. They take no lock: a published snapshot is
immutable and `latest` is swapped atomically, so a reader never sees a half-written one.
Snapshot references are a full id, a unique id prefix, `latest` or `latest~N` (N before latest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from medcodes.errors import TerminalError
from output.changes import KEY, compute_changes
from output.manifest import read_manifest
from output.publish import latest_snapshot, list_snapshots, read_snapshot_table
from schemas.tables import arrow_schema
from transform.codes import canonical_code, canonical_system

_RELATIVE = re.compile(r"^latest~(\d+)$")



class UnknownSnapshot(TerminalError):
    """A snapshot reference that names no kept snapshot (or several)."""


class UnknownCode(TerminalError):
    """A code that no kept snapshot holds."""


@dataclass(frozen=True)
class SnapshotInfo:
    """One kept snapshot as `medcodes snapshots` lists it; counts come from its manifest."""

    snapshot_id: str
    created_at: str
    row_counts: dict[str, int]
    code_system_counts: dict[str, int]
    change_counts: dict[str, int]
    quarantined: int
    stale: int
    parser_version: str
    schema_version: str
    previous_snapshot_id: str | None
    is_latest: bool
    path: Path


@dataclass(frozen=True)
class CodeEvent:
    """A code in one kept snapshot: present or not, and its change against the kept one before
    (for the oldest kept snapshot, the change that snapshot itself recorded)."""

    snapshot_id: str
    created_at: str
    present: bool
    change: str | None
    changed_fields: list[str]
    content_sha256: str | None


@dataclass(frozen=True)
class CodeHistory:
    """One `(code_system, code)`: its record and related codes in `latest` (None / empty when
    `latest` no longer holds it), and its events in every kept snapshot, oldest first."""

    code_system: str
    code: str
    current: dict | None
    related: list[dict]
    events: list[CodeEvent] = field(default_factory=list)


def snapshot_infos(out_dir: Path) -> list[SnapshotInfo]:
    """Every kept snapshot, oldest first (manifests plus the `change` column of `changes`)."""
    current = latest_snapshot(out_dir)
    infos = []
    for path in list_snapshots(out_dir):
        manifest = read_manifest(path)
        run_stats = manifest.get("run_stats", {})
        infos.append(SnapshotInfo(
            snapshot_id=manifest["snapshot_id"],
            created_at=manifest["created_at"],
            row_counts=manifest["row_counts"],
            code_system_counts=manifest["code_system_counts"],
            change_counts=_change_counts(path),
            quarantined=run_stats.get("quarantined", manifest["row_counts"].get("quarantine", 0)),
            stale=len(manifest.get("stale_codes", [])),
            parser_version=manifest["parser_version"],
            schema_version=manifest["schema_version"],
            previous_snapshot_id=manifest.get("previous_snapshot_id"),
            is_latest=current is not None and path.resolve() == current,
            path=path,
        ))
    return infos


def _change_counts(snapshot: Path) -> dict[str, int]:
    kinds = pq.read_table(str(snapshot / "changes.parquet"), columns=["change"]).column("change")
    counts = pd.Series(kinds.to_pylist(), dtype=object).value_counts()
    return {str(kind): int(n) for kind, n in sorted(counts.items())}


def resolve_snapshot(out_dir: Path, ref: str) -> Path:
    """The kept snapshot folder `ref` names; `UnknownSnapshot` saying why when none (or several)."""
    kept = list_snapshots(out_dir)
    if not kept:
        raise UnknownSnapshot(f"no published snapshot in {out_dir}; run `medcodes run` first")
    relative = _RELATIVE.match(ref)
    if ref == "latest" or relative:
        current = latest_snapshot(out_dir)
        ids = [p.resolve() for p in kept]
        if current is None or current not in ids:
            raise UnknownSnapshot(f"{out_dir}/latest points at no kept snapshot")
        back = int(relative.group(1)) if relative else 0
        index = ids.index(current) - back
        if index < 0:
            raise UnknownSnapshot(f"{ref}: only {ids.index(current)} kept snapshot(s) before latest")
        return kept[index]
    matches = [p for p in kept if p.name.startswith(ref)] if ref else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownSnapshot(f"{ref!r} is ambiguous: " + ", ".join(p.name for p in matches))
    recent = ", ".join(p.name for p in kept[-5:])
    raise UnknownSnapshot(f"no kept snapshot {ref!r} in {out_dir} (recent: {recent})")


def diff_snapshots(out_dir: Path, a: str, b: str) -> pd.DataFrame:
    """The `changes` table from snapshot `a` to snapshot `b` (either order, any two kept ones);
    every code of `a` missing from `b` counts as removed."""
    before, after = resolve_snapshot(out_dir, a), resolve_snapshot(out_dir, b)
    return compute_changes(read_snapshot_table(before, "codes"), read_snapshot_table(after, "codes"))


def code_history(out_dir: Path, code: str, system: str | None = None) -> list[CodeHistory]:
    """The history of `code` as printed (`s72001a`, `99213`), one entry per code system holding
    it — all of them when `system` is not given. `UnknownCode` when no kept snapshot has it."""
    kept = list_snapshots(out_dir)
    if not kept:
        raise UnknownSnapshot(f"no published snapshot in {out_dir}; run `medcodes run` first")
    systems = [canonical_system(system) or system.strip()] if system else _systems_in(kept)
    wanted = {(s, canonical_code(s, code)) for s in systems}
    rows = {p.name: _rows_for(p, "codes", wanted) for p in kept}
    found = sorted({tuple(k) for frame in rows.values() for k in frame[KEY].itertuples(index=False)})
    if not found:
        where = f"in {system}" if system else "in any code system"
        raise UnknownCode(f"code {code!r} is not {where} in the {len(kept)} kept snapshot(s) of {out_dir}")
    current = latest_snapshot(out_dir)
    related = _rows_for(current, "related_codes", set(found)) if current else None
    return [_history(key, kept, rows, current, related) for key in found]


def _systems_in(kept: list[Path]) -> list[str]:
    systems = {s for p in kept for s in read_manifest(p)["code_system_counts"]}
    return sorted(systems)


def _rows_for(snapshot: Path, table: str, keys: set[tuple[str, str]]) -> pd.DataFrame:
    """Rows of `table` whose `(code_system, code)` is in `keys`, read with a Parquet filter so a
    large snapshot is not loaded whole."""
    codes = sorted({c for _, c in keys})
    data = pq.read_table(str(snapshot / f"{table}.parquet"), schema=arrow_schema(table),
                         filters=[("code", "in", codes)])
    frame = data.to_pandas()
    mask = [(s, c) in keys for s, c in zip(frame["code_system"], frame["code"])]
    return frame[pd.Series(mask, index=frame.index, dtype=bool)].reset_index(drop=True)


def _history(key: tuple[str, str], kept: list[Path], rows: dict[str, pd.DataFrame],
             current: Path | None, related: pd.DataFrame | None) -> CodeHistory:
    events, previous = [], None
    for index, path in enumerate(kept):
        mine = _only(rows[path.name], key)
        if index == 0:
            change = _only(_rows_for(path, "changes", {key}), key)
        else:
            change = compute_changes(previous, mine)
        manifest = read_manifest(path)
        events.append(CodeEvent(
            snapshot_id=path.name, created_at=manifest["created_at"], present=len(mine) == 1,
            change=str(change["change"].iloc[0]) if len(change) else None,
            changed_fields=list(change["changed_fields"].iloc[0]) if len(change) else [],
            content_sha256=str(mine["content_sha256"].iloc[0]) if len(mine) else None,
        ))
        previous = mine
    record = _only(rows[current.name], key) if current is not None and current.name in rows else None
    return CodeHistory(
        code_system=key[0], code=key[1],
        current=_plain(record)[0] if record is not None and len(record) else None,
        related=_plain(_only(related, key)) if related is not None else [],
        events=events,
    )


def _only(frame: pd.DataFrame, key: tuple[str, str]) -> pd.DataFrame:
    mask = (frame["code_system"] == key[0]) & (frame["code"] == key[1])
    return frame[mask.fillna(False).astype(bool)].reset_index(drop=True)


def _plain(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values (lists, None for null, datetimes) for printing and JSON."""
    return pa.Table.from_pandas(frame, preserve_index=False).to_pylist()
