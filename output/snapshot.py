"""Publish a run's selected rows as the next snapshot, and summarize what it published.

The caller holds the output lock for the whole run (`output.lock.output_lock`), so the
previous snapshot read here is the one this snapshot replaces.

When a run reproduces the previous snapshot exactly — every page unchanged and carried
over, nothing new, nothing dropped — its data files are the previous snapshot's files:
they are hard-linked (snapshots are immutable) instead of being sorted and written again,
so a nightly run on an unchanged site costs little more than reading its pages.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Sequence

import pyarrow as pa

from medcodes.settings import Settings
from output.assemble import Selection, write_selected
from output.manifest import read_manifest
from output.parquet import write_parquet
from output.publish import JSONL_NAME, counted_tables, latest_snapshot, publish_staged
from output.report import RunSummary
from schemas.tables import arrow_schema

_DATA_FILES = ("codes.parquet", "sections.parquet", "related_codes.parquet", "quarantine.parquet", JSONL_NAME)


def publish_selection(
    selection: Selection,
    settings: Settings,
    sources: Sequence[str],
    *,
    pages: int,
    stale: Sequence[tuple[str, str]] = (),
    removed: set[tuple[str, str]] | None = None,
) -> RunSummary:
    """Publish with `changes` against `latest`. `removed` limits removals to codes with
    evidence (None: every missing code is removed); `stale` lists codes carried over after
    a failure."""
    previous = latest_snapshot(settings.out_dir)

    def write_data(staging: Path) -> None:
        if previous is not None and reproduces(selection, previous):
            link_previous(previous, staging, settings)
        else:
            write_selected(selection, staging, settings, removed)

    snapshot = publish_staged(settings, write_data, sources=sources, pages_seen=pages, stale_codes=stale)
    return summarize(snapshot, previous, pages, len(stale))


def link_previous(previous: Path, staging: Path, settings: Settings) -> None:
    """The previous snapshot's data files, hard-linked (copied where links are not possible),
    and an empty `changes` table."""
    for name in _DATA_FILES:
        try:
            os.link(previous / name, staging / name)
        except OSError:
            shutil.copy2(previous / name, staging / name)
    write_parquet(arrow_schema("changes").empty_table(), "changes", staging / "changes.parquet", settings)


def summarize(snapshot: Path, previous: Path | None, pages: int, stale: int) -> RunSummary:
    counted = counted_tables(snapshot)
    codes = counted["codes"]
    return RunSummary(
        snapshot_id=snapshot.name,
        snapshot_dir=str(snapshot),
        previous_snapshot_id=previous.name if previous else None,
        pages=pages,
        rows={name: table.num_rows for name, table in counted.items()},
        codes_by_system=_counts(codes, "code_system"),
        quarantine_reasons=_counts(counted["quarantine"], "reason"),
        changes=_counts(counted["changes"], "change"),
        licenses=sorted(set(codes.column("license").to_pylist())),
        stale_codes=stale,
    )


def _counts(table: pa.Table, column: str) -> dict[str, int]:
    return dict(Counter(table.column(column).to_pylist()))


def reproduces(selection: Selection, previous: Path) -> bool:
    """True when the selection is exactly `previous`'s rows: nothing spooled, nothing dropped,
    every previous row carried over."""
    if selection.previous_dir != previous or selection.spool.rows or selection.duplicates:
        return False
    counts = read_manifest(previous)["row_counts"]
    return (len(selection.carried_urls) == counts["codes"]
            and len(selection.carried_failures) == counts["quarantine"])
