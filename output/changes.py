"""The `changes` table: what a snapshot changed against the previous one.

Content is compared column by column over `schemas.tables.CONTENT_COLUMNS`, so a page whose
bytes changed (new `content_sha256`, new `fetched_at`) but whose content did not is no change.

Removal policy: a code in the previous snapshot but not in this run is `removed` only with
evidence. Pass `removed_keys` (codes whose page answered 404/410, or that are absent from a
completely read sitemap) to apply it; codes missing without evidence are then not reported
(the caller carries them over as stale). With `removed_keys=None` every missing code counts
as removed — right when the run read the whole corpus (e.g. a local directory).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from output.parquet import to_arrow, to_pandas
from schemas.tables import CONTENT_COLUMNS, arrow_schema

KEY = ["code_system", "code"]
_COMPARED = [c for c in CONTENT_COLUMNS if c not in KEY]


def changes_sql(previous: str | None, current: str, removed_keys: str | None) -> str:
    """DuckDB SQL for the `changes` rows between two `codes` relations (table names or
    `read_parquet(...)` calls), in contract order. `removed_keys` names a relation of
    `(code_system, code)`; None means every missing code counts as removed."""
    if previous is None:
        previous = f"(SELECT * FROM {current} LIMIT 0)"
    differs = ", ".join(
        f"""CASE WHEN p."{c}" IS DISTINCT FROM c."{c}" THEN '{c}' END""" for c in _COMPARED
    )
    removed = "TRUE" if removed_keys is None else (
        f"EXISTS (SELECT 1 FROM {removed_keys} r WHERE r.code_system = j.code_system AND r.code = j.code)")
    return f"""
    WITH j AS (
      SELECT coalesce(c.code_system, p.code_system) AS code_system,
             coalesce(c.code, p.code) AS code,
             CASE WHEN p.code IS NULL THEN 'added' WHEN c.code IS NULL THEN 'removed' ELSE 'modified' END AS change,
             CASE WHEN p.code IS NULL OR c.code IS NULL THEN []::VARCHAR[]
                  ELSE [x FOR x IN [{differs}] IF x IS NOT NULL] END AS changed_fields,
             p.content_sha256 AS previous_content_sha256,
             c.content_sha256 AS content_sha256
      FROM {previous} p FULL OUTER JOIN {current} c ON p.code_system = c.code_system AND p.code = c.code
    )
    SELECT * FROM j
    WHERE change = 'added' OR (change = 'modified' AND len(changed_fields) > 0)
       OR (change = 'removed' AND {removed})
    ORDER BY code_system, code"""


def compute_changes(
    previous_codes: pd.DataFrame | None,
    current_codes: pd.DataFrame,
    removed_keys: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """The `changes` table (sorted by code_system, code) between two in-memory `codes` tables.

    `added` and `removed` rows have empty `changed_fields`; `modified` rows list the content
    columns that differ. See the module docstring for the removal policy.
    """
    con = duckdb.connect()
    try:
        con.register("cur", to_arrow(current_codes, "codes"))
        if previous_codes is not None:
            con.register("prev", to_arrow(previous_codes, "codes"))
        if removed_keys is not None:
            keys = sorted(removed_keys)
            con.register("removed", pa.table({"code_system": [k[0] for k in keys], "code": [k[1] for k in keys]},
                                             schema=pa.schema([("code_system", pa.string()), ("code", pa.string())])))
        sql = changes_sql("prev" if previous_codes is not None else None, "cur",
                          "removed" if removed_keys is not None else None)
        changes = con.sql(sql).to_arrow_table().cast(arrow_schema("changes"))
    finally:
        con.close()
    return to_pandas(changes, "changes")
