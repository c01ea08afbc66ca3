"""Write a run's snapshot tables from its spool and the previous snapshot, sorted, in bounded memory.

Why DuckDB: the tables must come out sorted in contract order, and a full refresh has more
rows than a small machine should sort in memory. DuckDB sorts out of core (`output.duck`:
spilling to disk above `assembly_memory_mb`) and streams record batches, which go to
the Parquet writers with each table's explicit Arrow schema. It only selects and orders
rows; every decision (which page keeps a code, which previous rows carry over) is made
before, in `medcodes.dataset.select_rows`, and arrives here as a `Selection`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from medcodes.settings import Settings
from output.changes import changes_sql
from output.duck import bounded_duckdb, literal, parquet
from output.parquet import ParquetTableWriter
from output.spool import Spool
from schemas.reasons import QuarantineEntry
from schemas.tables import SORT_KEYS, arrow_schema, columns



@dataclass
class Selection:
    """The rows of a snapshot: everything spooled except pages that lost their code
    (`dropped_urls`), plus the previous snapshot's rows named by page URL."""

    spool: Spool
    previous_dir: Path | None = None
    carried_urls: list[str] = field(default_factory=list)  # previous code rows kept
    carried_keys: list[tuple[str, str]] = field(default_factory=list)  # their keys
    carried_failures: list[tuple[str, str]] = field(default_factory=list)  # previous (url, reason) kept
    dropped_urls: list[str] = field(default_factory=list)  # spooled pages that lost their code
    duplicates: list[QuarantineEntry] = field(default_factory=list)
    key_splits: list[tuple[str, str]] = field(default_factory=list)  # slice boundaries, see key_slices


def write_selected(selection: Selection, staging: Path, settings: Settings,
                   removed: set[tuple[str, str]] | None) -> dict[str, int]:
    """Write the four data tables and `changes` into `staging`; returns rows per table."""
    slices = key_slices(selection.key_splits)
    with bounded_duckdb(settings) as con:
        _register(con, selection)
        rows = {}
        for table in ("codes", "sections", "related_codes"):
            rows[table] = write_queries(con, [_select_sql(table, selection, where) for where in slices],
                                        table, staging / f"{table}.parquet", settings)
        rows["quarantine"] = write_queries(con, [_select_sql("quarantine", selection)], "quarantine",
                                           staging / "quarantine.parquet", settings)
        previous = parquet(selection.previous_dir / "codes.parquet") if selection.previous_dir else None
        if removed is not None:
            con.register("removed_keys", pa.table(
                {"code_system": [k[0] for k in removed], "code": [k[1] for k in removed]},
                schema=pa.schema([("code_system", pa.string()), ("code", pa.string())])))
        current = parquet(staging / "codes.parquet")
        sqls = [changes_sql(_where(previous, where) if previous else None, _where(current, where),
                            "removed_keys" if removed is not None else None) for where in slices]
        rows["changes"] = write_queries(con, sqls, "changes", staging / "changes.parquet", settings)
        return rows


def key_slices(splits: list[tuple[str, str]]) -> list[str]:
    """SQL conditions on `(code_system, code)` that cut the key space at `splits` (sorted):
    `key <= s1`, `s1 < key <= s2`, …, `key > sn`. Every key falls in exactly one slice.

    Why slices: DuckDB's out-of-core sort still keeps memory per row (~100 bytes), so one
    sort of a 100k-page run's 1.1M section rows ran out of 128 MB; sorting one slice at a
    time bounds that by the slice, and the slices, in order, are the table in order."""
    bounds = [None, *splits, None]
    conditions = []
    for low, high in zip(bounds, bounds[1:]):
        parts = ([f"(code_system, code) > ({literal(low[0])}, {literal(low[1])})"] if low else []) + (
            [f"(code_system, code) <= ({literal(high[0])}, {literal(high[1])})"] if high else [])
        conditions.append(" AND ".join(_scan_filters(low, high) + parts) or "TRUE")
    return conditions


def _scan_filters(low: tuple[str, str] | None, high: tuple[str, str] | None) -> list[str]:
    """Plain column comparisons implied by the slice, which DuckDB pushes into its Parquet
    scans (it does not push row-value comparisons): a scan then decodes the key columns of
    every row but the other columns only of the slice's rows."""
    filters = []
    if low is not None:
        filters.append(f"code_system >= {literal(low[0])}")
    if high is not None:
        filters.append(f"code_system <= {literal(high[0])}")
    if low is not None and high is not None and low[0] == high[0]:
        filters += [f"code > {literal(low[1])}", f"code <= {literal(high[1])}"]
    return filters


def _where(relation: str, condition: str) -> str:
    return f"(SELECT * FROM {relation} WHERE {condition})"


def write_queries(con: duckdb.DuckDBPyConnection, sqls: list[str], table: str, path: Path,
                  settings: Settings) -> int:
    """Stream the rows of `sqls`, one after another, into one Parquet file in row groups of
    `row_group_size`."""
    with ParquetTableWriter(path, table, settings) as writer:
        for sql in sqls:
            for batch in record_batches(con, sql, settings.row_group_size):
                writer.write(batch)
    return writer.rows


def record_batches(con: duckdb.DuckDBPyConnection, sql: str, size: int) -> Iterator[pa.RecordBatch]:
    yield from con.sql(sql).to_arrow_reader(size)


def _register(con: duckdb.DuckDBPyConnection, selection: Selection) -> None:
    strings = pa.schema([("source_url", pa.string())])
    con.register("dropped", pa.table({"source_url": selection.dropped_urls}, schema=strings))
    con.register("carried", pa.table({"source_url": selection.carried_urls}, schema=strings))
    con.register("carried_failures", pa.table(
        {"source_url": [f[0] for f in selection.carried_failures], "reason": [f[1] for f in selection.carried_failures]},
        schema=pa.schema([("source_url", pa.string()), ("reason", pa.string())])))
    con.register("carried_keys", pa.table(
        {"code_system": [k[0] for k in selection.carried_keys], "code": [k[1] for k in selection.carried_keys]},
        schema=pa.schema([("code_system", pa.string()), ("code", pa.string())])))
    con.register("duplicates", pa.Table.from_pylist([d.as_row() for d in selection.duplicates],
                                                    schema=arrow_schema("quarantine")))


def _select_sql(table: str, selection: Selection, where: str = "TRUE") -> str:
    cols = ", ".join(f'"{c}"' for c in columns(table))
    spooled = f"SELECT {cols} FROM {parquet(selection.spool.glob(table))}"
    parts = [spooled if table == "quarantine" else
             f"{spooled} WHERE source_url NOT IN (SELECT source_url FROM dropped)"]
    if selection.previous_dir is not None:
        previous = f"SELECT {cols} FROM {parquet(selection.previous_dir / f'{table}.parquet')}"
        if table == "codes":
            parts.append(f"{previous} WHERE source_url IN (SELECT source_url FROM carried)")
        elif table == "quarantine":
            parts.append(f"{previous} WHERE (source_url, reason) IN (SELECT (source_url, reason) FROM carried_failures)")
        else:
            parts.append(f"{previous} WHERE (code_system, code) IN (SELECT (code_system, code) FROM carried_keys)")
    if table == "quarantine":
        parts.append(f"SELECT {cols} FROM duplicates")
    return f"SELECT * FROM ({' UNION ALL '.join(parts)}) WHERE {where} ORDER BY {_order(table)}"


def _order(table: str) -> str:
    """The contract order; where its keys can tie (quarantine), the remaining columns too,
    so the order is total and the bytes repeat."""
    keys = list(SORT_KEYS[table])
    if table == "quarantine":
        keys += [c for c in columns(table) if c not in keys]
    return ", ".join(f'"{k}"' for k in keys)
