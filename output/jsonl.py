"""`codes.jsonl`: one JSON object per code, in `codes` order, with its sections and related codes.

Each line holds every `codes` column (contract order), then `sections` (objects shaped like
`sections` rows, in ordinal order) and `related` (shaped like `related_codes` rows); nested
objects leave out `code_system`/`code`, which the line already carries. Its JSON Schema is
`schemas.tables.json_schema_for_codes_jsonl()`. Bytes are deterministic: fixed key order,
compact separators, UTF-8 (`ensure_ascii=False`), timestamps as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from output.parquet import Tabular, sorted_arrow

def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`, always with microseconds (fixed width, so bytes are stable)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return iso_utc(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _rows(batches: Iterable[pa.RecordBatch]) -> Iterator[dict]:
    """Rows as plain Python values (None for null, lists for lists), one batch in memory at a time."""
    for batch in batches:
        yield from batch.to_pylist()


class _KeyedRows:
    """Rows of a table sorted by (code_system, code), handed out one code at a time."""

    def __init__(self, batches: Iterable[pa.RecordBatch]) -> None:
        self._rows = _rows(batches)
        self._next = next(self._rows, None)

    def take(self, key: tuple[str, str]) -> list[dict]:
        """The rows of `key` (without their key columns); rows of codes not in `codes` are skipped."""
        taken = []
        while self._next is not None and (self._next["code_system"], self._next["code"]) <= key:
            row = self._next
            if (row.pop("code_system"), row.pop("code")) == key:
                taken.append(row)
            self._next = next(self._rows, None)
        return taken


def write_jsonl_batches(codes: Iterable[pa.RecordBatch], sections: Iterable[pa.RecordBatch],
                        related: Iterable[pa.RecordBatch], path: Path) -> int:
    """Write `codes.jsonl` from the three tables' record batches, each already in contract order
    (a merge by key: memory stays one batch per table). Returns the number of lines."""
    by_sections, by_related = _KeyedRows(sections), _KeyedRows(related)
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for row in _rows(codes):
            key = (row["code_system"], row["code"])
            row["sections"] = by_sections.take(key)
            row["related"] = by_related.take(key)
            handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=_json_default))
            handle.write("\n")
            count += 1
    return count


def write_codes_jsonl(codes: Tabular, sections: Tabular, related: Tabular, path: Path) -> int:
    """Write `codes.jsonl` for in-memory tables (sorted here); returns the number of lines."""
    return write_jsonl_batches(*(sorted_arrow(data, table).to_batches() for data, table in (
        (codes, "codes"), (sections, "sections"), (related, "related_codes"))), path)
