"""Validate tables against their Pandera schemas.

`validate_codes` is the pipeline's validate stage: bad rows are data problems and become
quarantine entries (`schema:<check>`); the rest pass on, coerced to the declared dtypes.
`validate_table` is the strict form for any table (tests, re-validating published Parquet):
any failure there is a program bug and raises `SchemaViolation`.
"""

from __future__ import annotations

import re
from datetime import datetime

import numpy as np
import pandas as pd
from pandera.errors import SchemaErrors

from extract.rawpage import utc_now
from medcodes.errors import TerminalError
from schemas.checks import FRAME_CHECK_COLUMNS
from schemas.reasons import QuarantineEntry, Stage, schema_reason
from schemas.tables import columns, pandera_schema, spec

_HEX64 = re.compile(r"[0-9a-f]{64}")
_MAX_SHOWN = 10


class SchemaViolation(TerminalError):
    """A table that should already be valid is not: a bug upstream, not a bad page."""


def validate_table(table: str, df: pd.DataFrame, *, unique_keys: bool = True) -> pd.DataFrame:
    """The frame coerced to the table's dtypes; raises `SchemaViolation` listing the failures.
    `unique_keys=False` skips the key's uniqueness (one batch of a run, before dedupe)."""
    try:
        frame = _in_contract_order(df.reset_index(drop=True), table)
        return pandera_schema(table, unique_keys).validate(frame, lazy=True)
    except SchemaErrors as err:
        raise SchemaViolation(_summary(table, err.failure_cases)) from None


def validate_codes(
    df: pd.DataFrame, *, seen_at: datetime | None = None, unique_keys: bool = True
) -> tuple[pd.DataFrame, list[QuarantineEntry]]:
    """(valid rows, one quarantine entry per failing row), checking the whole batch at once.

    A row's reason is its first failing check in column order; its detail lists them all.
    Missing/extra columns are program errors, and so are duplicate `(code_system, code)`
    keys unless `unique_keys=False` (one parse batch: duplicates are decided across the run).
    """
    frame = _in_contract_order(df.reset_index(drop=True), "codes")
    schema = pandera_schema("codes", unique_keys)
    try:
        return schema.validate(frame, lazy=True), []
    except SchemaErrors as err:
        cases = err.failure_cases
    _raise_program_errors(cases)
    failures = _row_failures(frame, cases)
    entries = [_entry(frame.loc[i], sorted(found), seen_at) for i, found in sorted(failures.items())]
    valid = schema.validate(frame.drop(index=list(failures)), lazy=True)
    return valid.reset_index(drop=True), entries


def _in_contract_order(df: pd.DataFrame, table: str) -> pd.DataFrame:
    expected = columns(table)
    missing = [c for c in expected if c not in df.columns]
    extra = [c for c in df.columns if c not in expected]
    if missing or extra:
        raise SchemaViolation(f"{table}: missing columns {missing}, unexpected columns {extra}")
    return df.loc[:, expected]


def _raise_program_errors(cases: pd.DataFrame) -> None:
    """Failures not tied to one row (wrong columns) and duplicate keys are bugs, not data."""
    structural = cases["index"].isna() | cases["check"].astype(str).str.contains("uniqueness")
    if structural.any():
        raise SchemaViolation(_summary("codes", cases[structural]))


def _row_failures(frame: pd.DataFrame, cases: pd.DataFrame) -> dict[int, set[tuple]]:
    """Row index → {(rank, check, detail)}; rank orders checks by the columns they read."""
    position = {name: i for i, name in enumerate(columns("codes"))}
    null_checks = {c.name: c.null_check or f"{c.name}_missing" for c in spec("codes").columns}
    failures: dict[int, set[tuple]] = {}
    for row in cases.itertuples(index=False):  # one tuple per failure, not per data row
        index, column, check = int(row.index), str(row.column), str(row.check)
        if check in FRAME_CHECK_COLUMNS:
            cols = FRAME_CHECK_COLUMNS[check]
            rank = (position[cols[0]], 1)
            shown = ", ".join(f"{c}={_show(frame.at[index, c])}" for c in cols)
        else:
            if check == "not_nullable":
                check = null_checks[column]
            elif check.startswith(("coerce_dtype", "dtype")):
                check = f"{column}_type"
            rank = (position[column], 0)
            shown = f"{column}={_show(frame.at[index, column])}"
        failures.setdefault(index, set()).add((rank, check, f"{check}: {shown}"))
    return failures


def _entry(row: pd.Series, found: list[tuple], seen_at: datetime | None) -> QuarantineEntry:
    sha = row["content_sha256"]
    url = row["source_url"]
    return QuarantineEntry(
        source_url=url if isinstance(url, str) and url.strip() else "(none)",
        stage=Stage.VALIDATE.value,
        reason=schema_reason(found[0][1]),
        detail="; ".join(detail for _, _, detail in found),
        content_sha256=sha if isinstance(sha, str) and _HEX64.fullmatch(sha) else None,
        seen_at=seen_at or _when_captured(row),
    )


def _when_captured(row: pd.Series) -> datetime:
    """The page's capture time, so a rerun on the same bytes gives the same quarantine row."""
    fetched = row.get("fetched_at")
    return fetched.to_pydatetime() if isinstance(fetched, pd.Timestamp) and not pd.isna(fetched) else utc_now()


def _show(value: object) -> str:
    """A value as a reader would type it: lists as lists, nulls as null, numpy scalars unwrapped."""
    if isinstance(value, (list, tuple, np.ndarray)):
        text = repr([item.item() if isinstance(item, np.generic) else item for item in value])
    elif value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        text = "null"
    else:
        text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 200 else text[:197] + "..."


def _summary(table: str, cases: pd.DataFrame) -> str:
    lines = [
        f"  column={row.column} check={row.check} index={row.index} value={_show(row.failure_case)}"
        for row in cases.head(_MAX_SHOWN).itertuples(index=False)
    ]
    more = f"\n  … and {len(cases) - _MAX_SHOWN} more" if len(cases) > _MAX_SHOWN else ""
    return f"{table} does not match its schema ({len(cases)} failures):\n" + "\n".join(lines) + more
