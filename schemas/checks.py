"""Named, vectorized Pandera checks used by the table specs in `schemas/tables.py`.

A check's `name` is what a failing row is quarantined as (`schema:<name>`), so names are part
of the contract: add checks, never rename one. Every check works on a whole column (or frame)
at once; nulls are handled by the column's `nullable` flag, not here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from transform.codes import is_valid_code

_HEX64 = r"^[0-9a-f]{64}$"


def non_empty(name: str) -> pa.Check:
    """Strings that hold more than whitespace."""
    return pa.Check(lambda s: s.astype(str).str.strip().ne(""), name=name)


def one_of(name: str, allowed: tuple[str, ...]) -> pa.Check:
    """Values from a closed vocabulary (stages, change kinds, section keys)."""
    return pa.Check(lambda s: s.isin(allowed), name=name)


def non_negative(name: str) -> pa.Check:
    return pa.Check(lambda s: s.ge(0), name=name)


def sha256_hex(name: str) -> pa.Check:
    """A lower-case hex SHA-256 digest, as `RawPage.sha256` produces."""
    return pa.Check(lambda s: s.astype(str).str.fullmatch(_HEX64), name=name)


def _list_items_ok(s: pd.Series) -> pd.Series:
    """True where the value is a list (or array) whose every item is a non-blank str; an
    empty list is valid.

    One comprehension over the column: the values are Python lists, so any form of this
    check visits each item in Python, and pandas' explode/map/groupby around that visit
    cost 5x more than the visit itself (measured on 2,000-page batches).
    """
    return pd.Series([_items_ok(value) for value in s], index=s.index, dtype=bool)


def _items_ok(value: object) -> bool:
    """`str.strip` mapped in C over the items: it raises TypeError on a non-str item, and a
    blank item strips to "" (falsy), so `all` answers without a Python step per item."""
    if not isinstance(value, (list, tuple, np.ndarray)):
        return False
    try:
        return all(map(str.strip, value))
    except TypeError:
        return False


def list_items(name: str = "list_item_invalid") -> pa.Check:
    return pa.Check(_list_items_ok, name=name)


def _code_format_ok(df: pd.DataFrame) -> pd.Series:
    """`transform.codes.is_valid_code` per row; it is a scalar API, so one pass in a comprehension."""
    ok = [  # (`tolist` hands back the values at once; iterating an Arrow-backed column is slower)
        isinstance(system, str) and isinstance(code, str) and is_valid_code(system, code)
        for system, code in zip(df["code_system"].tolist(), df["code"].tolist())
    ]
    return pd.Series(ok, index=df.index, dtype=bool)


def _duration_range_ok(df: pd.DataFrame) -> pd.Series:
    low, high = df["duration_min_minutes"], df["duration_max_minutes"]
    return (low.isna() | high.isna() | (low <= high)).fillna(True).astype(bool)


CODE_FORMAT = pa.Check(_code_format_ok, name="code_format")
DURATION_RANGE = pa.Check(_duration_range_ok, name="duration_range")

# Columns each frame-level check reads, so a failure's detail can show their values.
FRAME_CHECK_COLUMNS: dict[str, tuple[str, ...]] = {
    "code_format": ("code_system", "code"),
    "duration_range": ("duration_min_minutes", "duration_max_minutes"),
}
