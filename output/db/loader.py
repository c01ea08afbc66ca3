"""`load_snapshot`: make a database mirror one published snapshot, in one transaction.

A database that holds no snapshot gets a full load. One that holds snapshot X gets only the
difference between X and the target, found by comparing per-code fingerprints (`plan.py`),
so skipped snapshots are handled and a second load of the same snapshot changes nothing.
The snapshot id is recorded in `medcodes_load_state` in the same transaction as the rows:
an interrupted load leaves the database exactly on its previous snapshot.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa

from medcodes.errors import TerminalError, TransientError
from medcodes.version import SCHEMA_VERSION
from output.db import bulk
from output.db.engine import is_transient, make_engine
from output.db.plan import CodeDigest, Key, LoadPlan, TableChanges, digests_arrow, keys_arrow, plan_load, snapshot_digests
from output.db.tables import CHILD_TABLES, LOADED_TABLES, TABLES, digests, metadata, state
from output.manifest import read_manifest
from schemas.tables import arrow_schema


class LoadRefused(TerminalError):
    """The snapshot cannot be loaded into this database as asked (older, other schema, missing)."""


class LoadFailed(TerminalError):
    """The database rejected the load for a reason a retry will not cure."""


class DatabaseUnavailable(TransientError):
    """The database could not be reached or was busy; the load may succeed if retried."""


@dataclass
class LoadResult:
    """What one load did: the snapshot now held, the one held before, and per-table counts."""

    snapshot_id: str
    previous_snapshot_id: str | None
    backend: str
    changes: dict[str, TableChanges]

    @property
    def total_changes(self) -> int:
        return sum(c.total for c in self.changes.values())

    def as_dict(self) -> dict:
        return asdict(self)


def load_snapshot(db_url: str, snapshot_dir: Path, *, allow_older: bool = False) -> LoadResult:
    """Load `snapshot_dir` into the database at `db_url` (see `output.db.engine` for URLs).

    Raises `LoadRefused` for a missing snapshot, one older than the database's (unless
    `allow_older`) or of another schema version; `DatabaseUnavailable` (transient) or
    `LoadFailed` when the database fails. Nothing is changed in any of these cases.
    """
    snapshot_dir = Path(snapshot_dir)
    manifest = _manifest(snapshot_dir)
    tables = {name: _read_arrow(snapshot_dir, name) for name in LOADED_TABLES}
    target = snapshot_digests(tables)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            return _load(conn, manifest, tables, target, allow_older)
    except sa.exc.DBAPIError as exc:
        kind = DatabaseUnavailable if is_transient(exc) else LoadFailed
        raise kind(f"{engine.dialect.name}: {exc.orig}") from exc
    finally:
        engine.dispose()


def _load(conn: sa.Connection, manifest: dict, tables: dict[str, pa.Table],
          target: dict[Key, CodeDigest], allow_older: bool) -> LoadResult:
    metadata.create_all(conn)
    if conn.dialect.name == "postgresql":  # one loader at a time; readers are not blocked
        conn.exec_driver_sql(f"LOCK TABLE {state.name} IN EXCLUSIVE MODE")
    held_state = conn.execute(sa.select(state).where(state.c.id == 1)).mappings().first()
    if held_state is None:
        for table in (*TABLES.values(), digests):  # rows no load recorded are not ours to diff
            conn.execute(sa.delete(table))
        held = {}
    else:
        _check_loadable(held_state, manifest, allow_older)
        held = _held_digests(conn)
    plan = plan_load(held, target)
    previous = held_state["snapshot_id"] if held_state else None
    result = LoadResult(manifest["snapshot_id"], previous, conn.dialect.name, plan.changes)
    if plan.empty and previous == manifest["snapshot_id"]:
        return result
    for name in LOADED_TABLES:
        _apply_table(conn, name, plan, tables)
    bulk.delete_keys(conn, digests, keys_arrow(plan.removed))
    bulk.upsert_rows(conn, digests, digests_arrow(target, plan.upsert_digests))
    _record_state(conn, manifest)
    return result


def _apply_table(conn: sa.Connection, name: str, plan: LoadPlan, tables: dict[str, pa.Table]) -> None:
    """Codes: delete removed, upsert new and changed. Child tables: replace a code's rows."""
    table = TABLES[name]
    if name in CHILD_TABLES:
        bulk.delete_keys(conn, table, keys_arrow(plan.replace[name]))
        bulk.insert_rows(conn, table, _rows_for(tables[name], plan.insert[name]))
    else:
        bulk.delete_keys(conn, table, keys_arrow(plan.removed))
        bulk.upsert_rows(conn, table, _rows_for(tables[name], plan.upsert_codes))


def _rows_for(table: pa.Table, keys: list[Key]) -> pa.Table:
    """The rows of `table` whose (code_system, code) is in `keys`."""
    if not keys:
        return table.slice(0, 0)
    joined = pc.binary_join_element_wise(table["code_system"], table["code"], "\x1f")
    wanted = pa.array([f"{cs}\x1f{code}" for cs, code in keys], pa.string())
    return table.filter(pc.is_in(joined, value_set=wanted))


def _check_loadable(held_state: sa.RowMapping, manifest: dict, allow_older: bool) -> None:
    if held_state["schema_version"] != manifest["schema_version"]:
        raise LoadRefused(
            f"the database holds schema version {held_state['schema_version']}, the snapshot "
            f"{manifest['schema_version']}; load it into a new database"
        )
    older = datetime.fromisoformat(manifest["created_at"]) < datetime.fromisoformat(held_state["snapshot_created_at"])
    if older and not allow_older:
        raise LoadRefused(
            f"snapshot {manifest['snapshot_id']} is older than {held_state['snapshot_id']}, which "
            "the database holds; pass allow_older (--allow-older) to roll back"
        )


def _held_digests(conn: sa.Connection) -> dict[Key, CodeDigest]:
    return {
        (row.pop("code_system"), row.pop("code")): CodeDigest(**row)
        for row in (dict(r) for r in conn.execute(sa.select(digests)).mappings())
    }


def _record_state(conn: sa.Connection, manifest: dict) -> None:
    conn.execute(sa.delete(state))
    conn.execute(sa.insert(state).values(
        id=1, snapshot_id=manifest["snapshot_id"], snapshot_created_at=manifest["created_at"],
        schema_version=manifest["schema_version"], loaded_at=datetime.now(timezone.utc),
    ))


def _manifest(snapshot_dir: Path) -> dict:
    """The snapshot's manifest, or `LoadRefused` if it is not a complete snapshot we can read."""
    try:
        manifest = read_manifest(snapshot_dir)
    except FileNotFoundError:
        raise LoadRefused(f"{snapshot_dir} is not a published snapshot (no manifest.json)") from None
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise LoadRefused(
            f"snapshot {manifest.get('snapshot_id')} has schema version {manifest.get('schema_version')}; "
            f"this medcodes loads {SCHEMA_VERSION}"
        )
    return manifest


def _read_arrow(snapshot_dir: Path, table: str) -> pa.Table:
    """One published table as Arrow with its declared schema (publish's reader returns pandas)."""
    return pq.read_table(snapshot_dir / f"{table}.parquet", schema=arrow_schema(table))
