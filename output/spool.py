"""A run's rows on disk until its snapshot is written: one Parquet part per table per batch.

Why: a full refresh is ~200k pages and ~2M section rows, more than a small machine should
hold. Each parsed batch is written here as soon as it arrives, so the run's memory is one
batch wide; `output.assemble` later reads every part back in sorted, bounded-memory passes.

The spool lives in `DIR/.work-<id>/` beside the snapshots (same filesystem, same lock); it is
removed when the run ends, and leftovers of killed runs are removed by the next run.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.parquet as pq

from schemas.tables import arrow_schema

WORK_PREFIX = ".work-"
SPOOLED_TABLES = ("codes", "sections", "related_codes", "quarantine")
PAGE_URL = "source_url"  # spool-only column of sections and related_codes: the page they came from


def spooled_schema(table: str) -> pa.Schema:
    """The table's schema, plus the page URL for tables whose rows do not carry it."""
    schema = arrow_schema(table)
    return schema if PAGE_URL in schema.names else schema.append(pa.field(PAGE_URL, pa.string()))


class Spool:
    """Parquet parts `<table>-<n>.parquet` in a work folder; an empty part of each table is
    written first, so every table's glob matches even in a run that produced no such rows."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.parts = 0
        self.rows = 0
        root.mkdir(parents=True)
        for table in SPOOLED_TABLES:
            pq.write_table(spooled_schema(table).empty_table(), root / f"{table}-empty.parquet")

    @classmethod
    def create(cls, out_dir: Path) -> "Spool":
        """A new spool in `out_dir`, after removing those of killed runs (call under the output lock)."""
        for stale in out_dir.glob(f"{WORK_PREFIX}*") if out_dir.is_dir() else ():
            shutil.rmtree(stale, ignore_errors=True)
        return cls(out_dir / f"{WORK_PREFIX}{uuid.uuid4().hex[:12]}")

    def add(self, tables: dict[str, pa.Table]) -> None:
        """Write one batch's non-empty tables as new parts (uncompressed: they are read once, soon)."""
        self.parts += 1
        for table, rows in tables.items():
            if rows.num_rows:
                self.rows += rows.num_rows
                path = self.root / f"{table}-{self.parts:06d}.parquet"
                pq.write_table(rows.cast(spooled_schema(table)), path, compression="none")

    def glob(self, table: str) -> str:
        return str(self.root / f"{table}-*.parquet")

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.remove()
