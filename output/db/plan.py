"""What a load must change: per-code fingerprints of a snapshot, diffed against the database's.

Why fingerprints rather than `changes.parquet`: that file is relative to the snapshot just
before, so it is wrong when the database skipped snapshots; and it ignores provenance
columns and sections the database still has to mirror. Each code gets one digest per table
(its `codes` row, its `sections` rows, its `related_codes` rows), so a page whose related
codes alone changed rewrites only those rows. Digests are stored in the database with the
rows (`medcodes_load_digests`), so planning never reads the loaded tables back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from output.db.tables import CHILD_TABLES, LOADED_TABLES
from output.parquet import sorted_arrow

Key = tuple[str, str]
_EMPTY = hashlib.sha256(b"").hexdigest()  # a code with no rows in a table
_BATCH_ROWS = 50_000
_UNIT, _RECORD, _NULL = "\x1f", "\x1e", "\x00"


@dataclass(frozen=True)
class CodeDigest:
    """Fingerprints of one code's rows; `rows` counts its rows in each child table."""

    codes_sha256: str
    sections_sha256: str = _EMPTY
    sections_rows: int = 0
    related_codes_sha256: str = _EMPTY
    related_codes_rows: int = 0

    def sha(self, table: str) -> str:
        return getattr(self, f"{table}_sha256")

    def rows(self, table: str) -> int:
        return getattr(self, f"{table}_rows")


@dataclass
class TableChanges:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.deleted


@dataclass
class LoadPlan:
    """Keys to touch, per table. Child rows of a changed code are replaced (deleted, then
    inserted), so child tables count deletions and insertions, never updates."""

    removed: list[Key] = field(default_factory=list)
    upsert_codes: list[Key] = field(default_factory=list)
    upsert_digests: list[Key] = field(default_factory=list)
    replace: dict[str, list[Key]] = field(default_factory=lambda: {t: [] for t in CHILD_TABLES})
    insert: dict[str, list[Key]] = field(default_factory=lambda: {t: [] for t in CHILD_TABLES})
    changes: dict[str, TableChanges] = field(default_factory=lambda: {t: TableChanges() for t in LOADED_TABLES})

    @property
    def empty(self) -> bool:
        return all(c.total == 0 for c in self.changes.values())


def _row_texts(table: pa.Table) -> pa.ChunkedArray:
    """One string per row holding every value, built by Arrow (hashing row dicts in Python
    was ~5x slower): list items joined by US, columns by RS, null as NUL (never a value)."""
    parts = []
    for field_, column in zip(table.schema, table.columns):
        text = pc.binary_join(column, _UNIT) if pa.types.is_list(field_.type) else column.cast(pa.string())
        parts.append(pc.fill_null(text, _NULL))
    return pc.binary_join_element_wise(*parts, _RECORD)


def _group_digests(table: pa.Table, name: str) -> dict[Key, tuple[str, int]]:
    """(code_system, code) → (sha256 of its rows in contract order, row count).

    Rows are sorted, so a code's rows are contiguous and one running hash per code suffices.
    """
    ordered = sorted_arrow(table, name)
    digests: dict[Key, tuple[str, int]] = {}
    current, hasher, count = None, hashlib.sha256(), 0
    for start in range(0, ordered.num_rows, _BATCH_ROWS):
        batch = ordered.slice(start, _BATCH_ROWS)
        rows = zip(batch["code_system"].to_pylist(), batch["code"].to_pylist(), _row_texts(batch).to_pylist())
        for system, code, text in rows:
            if (system, code) != current:
                if current is not None:
                    digests[current] = (hasher.hexdigest(), count)
                current, hasher, count = (system, code), hashlib.sha256(), 0
            hasher.update(text.encode() + b"\n")
            count += 1
    if current is not None:
        digests[current] = (hasher.hexdigest(), count)
    return digests


def snapshot_digests(tables: dict[str, pa.Table]) -> dict[Key, CodeDigest]:
    """Fingerprints of every code in a snapshot's `codes`, `sections` and `related_codes`."""
    per_table = {name: _group_digests(tables[name], name) for name in LOADED_TABLES}
    digests = {}
    for key, (codes_sha, _) in per_table["codes"].items():
        children = {}
        for name in CHILD_TABLES:
            sha, rows = per_table[name].get(key, (_EMPTY, 0))
            children[f"{name}_sha256"], children[f"{name}_rows"] = sha, rows
        digests[key] = CodeDigest(codes_sha, **children)
    return digests


def plan_load(held: dict[Key, CodeDigest], target: dict[Key, CodeDigest]) -> LoadPlan:
    """The changes that turn the database's `held` state into `target`."""
    plan = LoadPlan()
    codes = plan.changes["codes"]
    for key in sorted(held.keys() - target.keys()):
        plan.removed.append(key)
        codes.deleted += 1
        for name in CHILD_TABLES:
            plan.replace[name].append(key)
            plan.changes[name].deleted += held[key].rows(name)
    for key in sorted(target):
        new, old = target[key], held.get(key)
        if new != old:
            plan.upsert_digests.append(key)
        if old is None or old.codes_sha256 != new.codes_sha256:
            plan.upsert_codes.append(key)
            codes.inserted += old is None
            codes.updated += old is not None
        for name in CHILD_TABLES:
            if old is not None and old.sha(name) == new.sha(name):
                continue
            if old is not None and old.rows(name):
                plan.replace[name].append(key)
                plan.changes[name].deleted += old.rows(name)
            if new.rows(name):
                plan.insert[name].append(key)
                plan.changes[name].inserted += new.rows(name)
    return plan


def digests_arrow(digests: dict[Key, CodeDigest], keys: list[Key]) -> pa.Table:
    """The `medcodes_load_digests` rows for `keys`, as Arrow for the bulk writer."""
    rows = [{"code_system": cs, "code": code, **vars(digests[(cs, code)])} for cs, code in keys]
    schema = pa.schema([("code_system", pa.string()), ("code", pa.string()),
                        *[(f, pa.int64() if f.endswith("_rows") else pa.string())
                          for f in CodeDigest.__dataclass_fields__]])
    return pa.Table.from_pylist(rows, schema=schema)


def keys_arrow(keys: list[Key]) -> pa.Table:
    return pa.table({"code_system": pa.array([k[0] for k in keys], pa.string()),
                     "code": pa.array([k[1] for k in keys], pa.string())})
