"""`codes.jsonl`: one JSON object per code, in `codes` order, with its sections and related codes.

Each line holds every `codes` column (contract order), then `sections` (objects shaped like
`sections` rows, in ordinal order) and `related` (shaped like `related_codes` rows, in their
table order); nested objects leave out `code_system`/`code`, which the line already carries.
Its JSON Schema is `schemas.tables.json_schema_for_codes_jsonl()`. Bytes are deterministic:
fixed key order, compact separators, UTF-8 (non-ASCII unescaped; control characters as
`\\u00XX`), timestamps as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.

Why DuckDB serializes the rows: building a dict per row and `json.dumps` was the heaviest
step of a publish (0.65 ms per code, single-threaded, at the end of the run). DuckDB's
`to_json` writes each row's object in C++ (byte-identical to `json.dumps(...,
ensure_ascii=False, separators=(",", ":"))` on a 3,000-page run, except that control
characters are escaped with upper-case hex), and Python only joins the strings of one code.
Grouping in DuckDB instead (`list()` per code) ran out of a 128 MB limit at 10k pages:
that aggregation does not spill.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from output.parquet import Tabular, sorted_arrow
from schemas.tables import columns

_TIMESTAMPS = ("fetched_at", "seen_at")
ISO_UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # the same in Python's and DuckDB's strftime
_KEY = ("code_system", "code")


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`, always with microseconds (fixed width, so bytes are stable)."""
    return moment.astimezone(timezone.utc).strftime(ISO_UTC_FORMAT)


def _fields(table: str, alias: str, skip: tuple[str, ...] = ()) -> str:
    """`struct_pack` arguments for a table's columns, timestamps formatted like `iso_utc`."""
    return ", ".join(
        f"""\"{c}\" := strftime({alias}."{c}", '{ISO_UTC_FORMAT}')""" if c in _TIMESTAMPS
        else f'"{c}" := {alias}."{c}"'
        for c in columns(table) if c not in skip
    )


def json_rows(con: duckdb.DuckDBPyConnection, relation: str, table: str,
              skip: tuple[str, ...] = ()) -> Iterator[tuple[str, str, str]]:
    """(code_system, code, JSON object of the row without `skip`) per row, in the relation's
    order (a plain scan keeps it: DuckDB preserves insertion order by default)."""
    sql = f"SELECT code_system, code, to_json(struct_pack({_fields(table, 't', skip)})) FROM {relation} t"
    for batch in con.cursor().sql(sql).to_arrow_reader(10_000):  # own cursor: three results stay open
        yield from zip(*(batch.column(i).to_pylist() for i in range(3)))


class _KeyedObjects:
    """JSON objects of a table sorted by (code_system, code), handed out one code at a time."""

    def __init__(self, rows: Iterator[tuple[str, str, str]]) -> None:
        self._rows = rows
        self._next = next(rows, None)

    def take(self, key: tuple[str, str]) -> str:
        """The objects of `key`, comma-joined; rows of codes not in `codes` are skipped."""
        taken = []
        while self._next is not None and (self._next[0], self._next[1]) <= key:
            system, code, obj = self._next
            if (system, code) == key:
                taken.append(obj)
            self._next = next(self._rows, None)
        return ",".join(taken)


def write_jsonl(con: duckdb.DuckDBPyConnection, codes: str, sections: str, related: str, path: Path) -> int:
    """Write `codes.jsonl` to `path` from three relations of `con`, each in contract order;
    returns the number of lines. DuckDB serializes each row; the lines are put together by a
    merge on the key, so memory holds one batch per table whatever the run's size."""
    by_sections = _KeyedObjects(json_rows(con, sections, "sections", _KEY))
    by_related = _KeyedObjects(json_rows(con, related, "related_codes", _KEY))
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for system, code, obj in json_rows(con, codes, "codes"):
            key = (system, code)
            handle.write(f'{obj[:-1]},"sections":[{by_sections.take(key)}],"related":[{by_related.take(key)}]}}\n')
            count += 1
    return count


def write_codes_jsonl(codes: Tabular, sections: Tabular, related: Tabular, path: Path) -> int:
    """Write `codes.jsonl` for in-memory tables; returns the number of lines (codes) written."""
    con = duckdb.connect()
    try:
        for name, data, table in (("c", codes, "codes"), ("s", sections, "sections"), ("r", related, "related_codes")):
            con.register("rows", sorted_arrow(data, table))  # registered objects are per cursor: copy in
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM rows")
            con.unregister("rows")
        return write_jsonl(con, "c", "s", "r", path)
    finally:
        con.close()
