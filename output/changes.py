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

from itertools import compress

import numpy as np
import pandas as pd

from schemas.tables import CONTENT_COLUMNS, LIST, conform, empty_frame, spec

KEY = ["code_system", "code"]
_COMPARED = [c for c in CONTENT_COLUMNS if c not in KEY]
_LIST_COLUMNS = {c.name for c in spec("codes").columns if c.kind == LIST}
_PREV = "_prev"


def _as_tuple(value: object) -> object:
    """Lists and arrays (Parquet reads give arrays) compare as tuples; nulls stay null."""
    return None if value is None else tuple(value)


def _differs(before: pd.Series, after: pd.Series, *, is_list: bool) -> np.ndarray:
    """Element-wise "values differ", with null equal to null."""
    if is_list:
        before, after = before.map(_as_tuple), after.map(_as_tuple)
    same = (before == after).fillna(False).astype(bool) | (before.isna() & after.isna())
    return ~same.to_numpy()


def _changed_fields(both: pd.DataFrame) -> list[list[str]]:
    diff = np.column_stack(
        [_differs(both[c + _PREV], both[c], is_list=c in _LIST_COLUMNS) for c in _COMPARED]
    ) if len(both) else np.zeros((0, len(_COMPARED)), dtype=bool)
    return [list(compress(_COMPARED, row)) for row in diff]


def _rows(frame: pd.DataFrame, change: str, fields: list[list[str]] | None = None) -> pd.DataFrame:
    return pd.DataFrame({
        "code_system": frame["code_system"].to_numpy(),
        "code": frame["code"].to_numpy(),
        "change": change,
        "changed_fields": fields if fields is not None else [[] for _ in range(len(frame))],
        "previous_content_sha256": frame["content_sha256" + _PREV].to_numpy(),
        "content_sha256": frame["content_sha256"].to_numpy(),
    })


def compute_changes(
    previous_codes: pd.DataFrame | None,
    current_codes: pd.DataFrame,
    removed_keys: set[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """The `changes` table (sorted by code_system, code) between two `codes` tables.

    `added` and `removed` rows have empty `changed_fields`; `modified` rows list the content
    columns that differ. See the module docstring for the removal policy.
    """
    previous = empty_frame("codes") if previous_codes is None else conform(previous_codes, "codes")
    current = conform(current_codes, "codes")
    merged = previous.merge(current, on=KEY, how="outer", suffixes=(_PREV, ""), indicator=True)

    added = merged[merged["_merge"] == "right_only"]
    removed = merged[merged["_merge"] == "left_only"]
    if removed_keys is not None:
        keys = pd.Series(list(zip(removed["code_system"], removed["code"])), index=removed.index, dtype=object)
        removed = removed[keys.isin(removed_keys)]
    both = merged[merged["_merge"] == "both"]
    fields = _changed_fields(both)
    modified_mask = np.array([bool(f) for f in fields], dtype=bool)
    modified = both[modified_mask]

    parts = [
        _rows(added, "added"),
        _rows(modified, "modified", list(compress(fields, modified_mask))),
        _rows(removed, "removed"),
    ]
    nonempty = [part for part in parts if len(part)]
    changes = pd.concat(nonempty, ignore_index=True) if nonempty else empty_frame("changes")
    return conform(changes.sort_values(KEY, kind="stable", ignore_index=True), "changes")
