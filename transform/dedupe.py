"""One record per `(code_system, code)`: when pages share a code, a deterministic rule keeps one.

Rule: keep the page with the most filled content fields (the richest record), then the
lexicographically smallest `source_url`. It depends only on the pages' content and
addresses, never on the order they arrived in, so reruns keep the same page.

The rule runs over light `Candidate`s (key, page URL, fill count, provenance), not whole
records, so a run of any size decides its duplicates in a few MB; the rows themselves stay
on disk until the snapshot is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.reasons import QuarantineEntry, Reason, Stage

_NOT_CONTENT = frozenset({"code_system", "code", "source_url", "content_sha256", "fetched_at", "license"})


def filled_counts(codes: pa.Table) -> np.ndarray:
    """Per `codes` row, how many content fields hold something (non-null, non-empty text or list)."""
    total = np.zeros(codes.num_rows, dtype=np.int32)
    for name in codes.column_names:
        if name in _NOT_CONTENT:
            continue
        column = codes.column(name)
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            filled = pc.greater(pc.fill_null(pc.list_value_length(column), 0), 0)
        elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            filled = pc.greater(pc.fill_null(pc.utf8_length(column), 0), 0)
        else:
            filled = pc.is_valid(column)
        total += filled.to_numpy(zero_copy_only=False).astype(np.int32)
    return total


@dataclass(frozen=True, slots=True)
class Candidate:
    """A page that produced a row for `(code_system, code)`. `filled` is None until asked for
    (rows carried from the previous snapshot are only counted when they meet a rival)."""

    code_system: str
    code: str
    source_url: str
    content_sha256: str
    fetched_at: datetime
    filled: int | None


def choose_kept(
    candidates: Iterable[Candidate],
    fill_in: Callable[[Sequence[Candidate]], dict[str, int]] = lambda _: {},
) -> list[QuarantineEntry]:
    """`duplicate_code` entries for every candidate that loses its code to a richer page.

    `fill_in(candidates)` returns `{source_url: filled}` for candidates whose count is None;
    it is called once, with only the candidates that share their code with another.
    """
    by_key: dict[tuple[str, str], list[Candidate]] = {}
    for candidate in candidates:
        by_key.setdefault((candidate.code_system, candidate.code), []).append(candidate)
    contested = [group for group in by_key.values() if len(group) > 1]
    unknown = [c for group in contested for c in group if c.filled is None]
    counts = fill_in(unknown) if unknown else {}
    duplicates = []
    for group in contested:
        ranked = sorted(group, key=lambda c: (-(c.filled if c.filled is not None else counts[c.source_url]),
                                              c.source_url))
        kept = ranked[0]
        duplicates.extend(_duplicate_entry(loser, kept) for loser in ranked[1:])
    return duplicates


def _duplicate_entry(loser: Candidate, kept: Candidate) -> QuarantineEntry:
    return QuarantineEntry(
        source_url=loser.source_url,
        stage=Stage.VALIDATE.value,
        reason=Reason.DUPLICATE_CODE.value,
        detail=f"{loser.code_system} {loser.code} is also on {kept.source_url}, which was kept",
        content_sha256=loser.content_sha256,
        seen_at=loser.fetched_at,
    )
