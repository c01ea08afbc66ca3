"""SQLAlchemy tables generated from `schemas.tables` — never re-typed here.

Type mapping (the one place it is decided; `docs/loading.md` explains it):

| Arrow (spec kind)   | SQLite                 | DuckDB                   | PostgreSQL    |
|---------------------|------------------------|--------------------------|---------------|
| string              | TEXT                   | VARCHAR                  | TEXT          |
| int32               | INTEGER                | INTEGER                  | INTEGER       |
| timestamp[us, UTC]  | DATETIME (UTC, no tz)  | TIMESTAMP WITH TIME ZONE | TIMESTAMPTZ   |
| list<string>        | JSON array (TEXT)      | JSON                     | TEXT[]        |

PostgreSQL gets `TEXT[]` rather than JSONB: it keeps the type exact (a list of strings, in
page order), psycopg maps it to a Python list both ways, and `= ANY(col)` / GIN indexes work.

Only the per-code tables are loaded (`codes`, `sections`, `related_codes`); `quarantine` and
`changes` describe one snapshot's run, not the current state a database mirrors. Two
bookkeeping tables go with them: `medcodes_load_state` (the snapshot the database holds) and
`medcodes_load_digests` (per-code fingerprints the loader diffs against the next snapshot).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from schemas.tables import INT32, LIST, STR, TIMESTAMP, ColumnSpec, spec

LOADED_TABLES: tuple[str, ...] = ("codes", "sections", "related_codes")
CHILD_TABLES: tuple[str, ...] = ("sections", "related_codes")
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "codes": ("code_system", "code"),
    "sections": ("code_system", "code", "ordinal"),
    "related_codes": ("code_system", "code", "related_code_system", "related_code", "relation"),
}
STATE_TABLE = "medcodes_load_state"
DIGESTS_TABLE = "medcodes_load_digests"

_STRING_LIST = sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")
_TYPES: dict[str, sa.types.TypeEngine] = {
    STR: sa.Text(),
    INT32: sa.Integer(),
    TIMESTAMP: sa.DateTime(timezone=True),
    LIST: _STRING_LIST,
}


def _column(column: ColumnSpec, primary_key: bool) -> sa.Column:
    return sa.Column(
        column.name, _TYPES[column.kind], primary_key=primary_key,
        nullable=column.nullable and not primary_key, comment=column.description,
    )


def _data_table(metadata: sa.MetaData, name: str) -> sa.Table:
    keys = PRIMARY_KEYS[name]
    table = sa.Table(name, metadata, *(_column(c, c.name in keys) for c in spec(name).columns))
    if name != "codes":  # the codes primary key already indexes (code_system, code)
        sa.Index(f"ix_{name}_code_system_code", table.c.code_system, table.c.code)
    return table


def _state_table(metadata: sa.MetaData) -> sa.Table:
    """One row (`id` = 1): the snapshot loaded last, and the schema version its tables follow."""
    return sa.Table(
        STATE_TABLE, metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("snapshot_id", sa.Text, nullable=False),
        sa.Column("snapshot_created_at", sa.Text, nullable=False, comment="manifest created_at (ISO 8601, Z)"),
        sa.Column("schema_version", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
    )


def _digests_table(metadata: sa.MetaData) -> sa.Table:
    """Per-code fingerprints of the loaded rows, so the next load diffs without reading them."""
    return sa.Table(
        DIGESTS_TABLE, metadata,
        sa.Column("code_system", sa.Text, primary_key=True),
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("codes_sha256", sa.Text, nullable=False),
        sa.Column("sections_sha256", sa.Text, nullable=False),
        sa.Column("sections_rows", sa.Integer, nullable=False),
        sa.Column("related_codes_sha256", sa.Text, nullable=False),
        sa.Column("related_codes_rows", sa.Integer, nullable=False),
    )


metadata = sa.MetaData()
TABLES: dict[str, sa.Table] = {name: _data_table(metadata, name) for name in LOADED_TABLES}
state = _state_table(metadata)
digests = _digests_table(metadata)
