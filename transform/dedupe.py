"""One record per `(code_system, code)`: when pages share a code, a deterministic rule keeps one.

Rule: keep the page with the most filled content fields (the richest record), then the
lexicographically smallest `source_url`. It depends only on the pages' content and
addresses, never on the order they arrived in, so reruns keep the same page.
"""

from __future__ import annotations

from schemas.reasons import QuarantineEntry, Reason, Stage
from transform.record import PageRecord

_NOT_CONTENT = {"code_system", "code", "source_url", "content_sha256", "fetched_at", "license"}


def filled_fields(row: dict) -> int:
    """How many content fields hold something (non-null scalar, non-empty list)."""
    return sum(1 for k, v in row.items() if k not in _NOT_CONTENT and v not in (None, "", []))


def _rank(record: PageRecord) -> tuple[int, str]:
    return (-filled_fields(record.code_row), record.code_row["source_url"])


def dedupe_records(records: list[PageRecord]) -> tuple[list[PageRecord], list[QuarantineEntry]]:
    """Keep one record per code (input order preserved); the others become `duplicate_code`."""
    best: dict[tuple[str, str], PageRecord] = {}
    for record in sorted(records, key=_rank):
        best.setdefault((record.code_row["code_system"], record.code_row["code"]), record)
    kept_ids = {id(r) for r in best.values()}
    duplicates = []
    for record in records:
        if id(record) in kept_ids:
            continue
        row = record.code_row
        kept = best[(row["code_system"], row["code"])].code_row
        duplicates.append(
            QuarantineEntry(
                source_url=row["source_url"],
                stage=Stage.VALIDATE.value,
                reason=Reason.DUPLICATE_CODE.value,
                detail=f"{row['code_system']} {row['code']} is also on {kept['source_url']}, which was kept",
                content_sha256=row["content_sha256"],
                seen_at=row["fetched_at"],
            )
        )
    return [r for r in records if id(r) in kept_ids], duplicates
