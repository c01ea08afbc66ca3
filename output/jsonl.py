"""`codes.jsonl`: one JSON object per code, in `codes` order, with its sections and related codes.

Each line holds every `codes` column (contract order), then `sections` (objects shaped like
`sections` rows, in ordinal order) and `related` (shaped like `related_codes` rows); nested
objects leave out `code_system`/`code`, which the line already carries. Its JSON Schema is
`schemas.tables.json_schema_for_codes_jsonl()`. Bytes are deterministic: fixed key order,
compact separators, UTF-8 (`ensure_ascii=False`), timestamps as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from output.parquet import Tabular, sorted_arrow

def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`, always with microseconds (fixed width, so bytes are stable)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return iso_utc(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _rows(data: Tabular, table: str) -> list[dict]:
    """Rows as plain Python values (None for null, lists for lists), in the table's sort order."""
    return sorted_arrow(data, table).to_pylist()


def _grouped(data: Tabular, table: str) -> dict[tuple[str, str], list[dict]]:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in _rows(data, table):
        key = (row.pop("code_system"), row.pop("code"))
        groups[key].append(row)
    return groups


def codes_jsonl_lines(codes: Tabular, sections: Tabular, related: Tabular) -> list[str]:
    """The lines of `codes.jsonl` (without newlines), one per code, sorted by (code_system, code)."""
    by_sections, by_related = _grouped(sections, "sections"), _grouped(related, "related_codes")
    lines = []
    for row in _rows(codes, "codes"):
        key = (row["code_system"], row["code"])
        row["sections"] = by_sections.get(key, [])
        row["related"] = by_related.get(key, [])
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":"), default=_json_default))
    return lines


def write_codes_jsonl(codes: Tabular, sections: Tabular, related: Tabular, path: Path) -> int:
    """Write `codes.jsonl` to `path`; returns the number of lines (codes) written."""
    lines = codes_jsonl_lines(codes, sections, related)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for line in lines:
            handle.write(line + "\n")
    return len(lines)
