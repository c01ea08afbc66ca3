"""Set-based writes: rows go into a temporary staging table in bulk, then one SQL statement
inserts, upserts or deletes from it — never a round trip per row.

Staging per backend: PostgreSQL `COPY … FROM STDIN` through psycopg 3; DuckDB registers the
Arrow table and copies it with one `CREATE TEMP TABLE … AS SELECT` (lists become JSON there);
SQLite, in-process, `executemany` in the caller's transaction. The statements that follow
(`INSERT … SELECT … ON CONFLICT DO UPDATE`, `DELETE … WHERE (code_system, code) IN (…)`) are
the same on all three. Everything runs on the caller's connection, inside its transaction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import sqlalchemy as sa

_BATCH_ROWS = 10_000
_names = itertools.count()


def insert_rows(conn: sa.Connection, table: sa.Table, rows: pa.Table) -> None:
    """Append `rows` (Arrow, columns named like the table's) to `table`."""
    if rows.num_rows:
        with _staged(conn, table, rows) as stage:
            conn.exec_driver_sql(_insert_select(conn, table, stage, rows.column_names))


def upsert_rows(conn: sa.Connection, table: sa.Table, rows: pa.Table) -> None:
    """Insert `rows`, replacing every non-key column of rows whose primary key exists."""
    if not rows.num_rows:
        return
    q = _quoter(conn)
    keys = [c.name for c in table.primary_key.columns]
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in rows.column_names if c not in keys)
    with _staged(conn, table, rows) as stage:
        # `WHERE true` lets SQLite tell the upsert's ON from a join's ON.
        conn.exec_driver_sql(
            f"{_insert_select(conn, table, stage, rows.column_names)} WHERE true "
            f"ON CONFLICT ({', '.join(q(k) for k in keys)}) DO UPDATE SET {updates}"
        )


def delete_keys(conn: sa.Connection, table: sa.Table, keys: pa.Table) -> None:
    """Delete the rows of `table` whose `(code_system, code)` is in `keys`."""
    if not keys.num_rows:
        return
    q = _quoter(conn)
    with _staged(conn, table, keys) as stage:
        conn.exec_driver_sql(
            f"DELETE FROM {q(table.name)} WHERE ({q('code_system')}, {q('code')}) IN "
            f"(SELECT {q('code_system')}, {q('code')} FROM {stage})"
        )


def _insert_select(conn: sa.Connection, table: sa.Table, stage: str, names: list[str]) -> str:
    q = _quoter(conn)
    cols = ", ".join(q(n) for n in names)
    return f"INSERT INTO {q(table.name)} ({cols}) SELECT {cols} FROM {stage}"


def _quoter(conn: sa.Connection):
    return conn.dialect.identifier_preparer.quote


@contextmanager
def _staged(conn: sa.Connection, like: sa.Table, rows: pa.Table) -> Iterator[str]:
    """A temporary table holding `rows`, typed like `like`'s columns; dropped afterwards."""
    name = f"medcodes_stage_{next(_names)}"
    stager = {"postgresql": _stage_copy, "duckdb": _stage_arrow, "sqlite": _stage_executemany}
    stager[conn.dialect.name](conn, name, like, rows)
    yield name
    # Not in a `finally`: after a failure the rollback removes the table, and a statement
    # sent into an aborted PostgreSQL transaction would hide the original error.
    conn.exec_driver_sql(f"DROP TABLE {name}")


def _temp_table(conn: sa.Connection, name: str, like: sa.Table, rows: pa.Table) -> sa.Table:
    cols = [sa.Column(n, like.c[n].type) for n in rows.column_names]
    stage = sa.Table(name, sa.MetaData(), *cols, prefixes=["TEMPORARY"])
    stage.create(conn)
    return stage


def _stage_executemany(conn: sa.Connection, name: str, like: sa.Table, rows: pa.Table) -> None:
    stage = _temp_table(conn, name, like, rows)
    for batch in rows.to_batches(max_chunksize=_BATCH_ROWS):
        conn.execute(stage.insert(), batch.to_pylist())


def _stage_copy(conn: sa.Connection, name: str, like: sa.Table, rows: pa.Table) -> None:
    _temp_table(conn, name, like, rows)
    q = _quoter(conn)
    statement = f"COPY {name} ({', '.join(q(n) for n in rows.column_names)}) FROM STDIN"
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for batch in rows.to_batches(max_chunksize=_BATCH_ROWS):
            for row in zip(*(column.to_pylist() for column in batch.columns)):
                copy.write_row(row)


def _stage_arrow(conn: sa.Connection, name: str, like: sa.Table, rows: pa.Table) -> None:
    duck = conn.connection.driver_connection
    view = f"{name}_arrow"
    q = _quoter(conn)
    exprs = ", ".join(
        f"to_json({q(f.name)}) AS {q(f.name)}" if pa.types.is_list(f.type) else q(f.name)
        for f in rows.schema
    )
    duck.register(view, rows)
    try:
        duck.execute(f"CREATE TEMP TABLE {name} AS SELECT {exprs} FROM {view}")
    finally:
        duck.unregister(view)
