"""`codes.jsonl`: one JSON object per code, in `codes` order, with its sections and related codes.

Each line holds every `codes` column (contract order), then `sections` (objects shaped like
`sections` rows, in ordinal order) and `related` (shaped like `related_codes` rows, in their
table order); nested objects leave out `code_system`/`code`, which the line already carries.
Its JSON Schema is `schemas.tables.json_schema_for_codes_jsonl()`. Bytes are deterministic:
fixed key order, compact separators, UTF-8 (non-ASCII unescaped; control characters as
`\\u00XX`), timestamps as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.

Why DuckDB builds the lines: grouping ~10 section rows under each code and serializing them
is the heaviest step of a publish in Python (measured 0.65 ms per code, single-threaded, at
the end of the run); DuckDB groups, serializes and sorts in C++ within its memory limit, and
its output was byte-identical to `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`
on every code of a 3,000-page run.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb

from output.parquet import Tabular, to_arrow
from schemas.tables import SORT_KEYS, columns

_TIMESTAMPS = ("fetched_at", "seen_at")
_KEY = ("code_system", "code")


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`, always with microseconds (fixed width, so bytes are stable)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fields(table: str, alias: str, skip: tuple[str, ...] = ()) -> str:
    """`struct_pack` arguments for a table's columns, timestamps formatted like `iso_utc`."""
    return ", ".join(
        f"""\"{c}\" := strftime({alias}."{c}", '%Y-%m-%dT%H:%M:%S.%fZ')""" if c in _TIMESTAMPS
        else f'"{c}" := {alias}."{c}"'
        for c in columns(table) if c not in skip
    )


def jsonl_sql(codes: str, sections: str, related: str) -> str:
    """DuckDB SQL giving one `line` per code, in contract order, from three relations
    (table names or `read_parquet(...)` calls)."""
    order = {t: ", ".join(f'"{k}"' for k in SORT_KEYS[t] if k not in _KEY) for t in ("sections", "related_codes")}
    return f"""
    WITH s AS (SELECT code_system, code, list(struct_pack({_fields("sections", "s", _KEY)}) ORDER BY {order["sections"]}) AS items
               FROM {sections} s GROUP BY code_system, code),
         r AS (SELECT code_system, code, list(struct_pack({_fields("related_codes", "r", _KEY)}) ORDER BY {order["related_codes"]}) AS items
               FROM {related} r GROUP BY code_system, code)
    SELECT to_json(struct_pack({_fields("codes", "c")},
                               sections := coalesce(s.items, []), related := coalesce(r.items, []))) AS line
    FROM {codes} c LEFT JOIN s USING (code_system, code) LEFT JOIN r USING (code_system, code)
    ORDER BY c.code_system, c.code"""


def write_jsonl(con: duckdb.DuckDBPyConnection, codes: str, sections: str, related: str, path: Path) -> int:
    """Write `codes.jsonl` to `path` from three relations of `con`; returns the number of lines."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for batch in con.sql(jsonl_sql(codes, sections, related)).to_arrow_reader(10_000):
            lines = batch.column(0).to_pylist()
            handle.write("\n".join(lines) + "\n" if lines else "")
            count += len(lines)
    return count


def write_codes_jsonl(codes: Tabular, sections: Tabular, related: Tabular, path: Path) -> int:
    """Write `codes.jsonl` for in-memory tables; returns the number of lines (codes) written."""
    con = duckdb.connect()
    try:
        for name, data, table in (("c", codes, "codes"), ("s", sections, "sections"), ("r", related, "related_codes")):
            con.register(name, to_arrow(data, table))
        return write_jsonl(con, "c", "s", "r", path)
    finally:
        con.close()
