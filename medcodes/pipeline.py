"""The per-page path as plain functions: bytes → parsed structure → contract rows.

Flows call these on batches; tests and the golden-set scorer call them directly. A page
always ends as rows or as a quarantine entry: an unexpected exception inside parsing or
normalization becomes `parse_error` with the exception named, so one hostile page can't
stop a nightly run (the traceback goes to the log for the developers).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Iterable

from extract.parse import parse_page
from extract.rawpage import RawPage
from schemas.reasons import QuarantineEntry, Reason, Stage
from transform.record import PageRecord, build_record

log = logging.getLogger(__name__)


def process_raw_page(raw: RawPage) -> PageRecord | QuarantineEntry:
    """Parse one page and build its rows, or say why it can't become a row."""
    try:
        parsed = parse_page(raw)
        if isinstance(parsed, QuarantineEntry):
            return parsed
        return build_record(parsed, raw)
    except Exception as exc:  # noqa: BLE001 - a page must never crash the run; see module doc
        log.exception("unexpected error processing %s", raw.url)
        return QuarantineEntry(
            source_url=raw.url,
            stage=Stage.PARSE.value,
            reason=Reason.PARSE_ERROR.value,
            detail=f"{type(exc).__name__}: {exc}",
            content_sha256=raw.sha256,
            seen_at=raw.fetched_at,
        )


@dataclass
class BatchResult:
    """What a batch of pages became: one record per good page, one entry per bad one.

    Records stay whole (code row with its sections and links) until the dataset is
    assembled, so dropping a duplicate or invalid page drops all of its rows together.
    """

    records: list[PageRecord] = field(default_factory=list)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    pages: int = 0  # pages seen

    def add(self, outcome: PageRecord | QuarantineEntry) -> None:
        self.pages += 1
        if isinstance(outcome, QuarantineEntry):
            self.quarantine.append(outcome)
        else:
            self.records.append(outcome)

    def extend(self, other: "BatchResult") -> None:
        self.records += other.records
        self.quarantine += other.quarantine
        self.pages += other.pages


class PageBatch:
    """The pages of one parse task, opaque to Prefect, which would otherwise walk every page's
    fields to look for futures (measured: a third of a run's CPU). Pickles for Dask.

    It names itself to Dask by a random token: Dask otherwise derives a task's key by pickling
    and hashing its arguments, every page body again (measured: 0.3 ms per page in the flow's
    process). Each batch is submitted once, so a unique token is the right identity.
    """

    __slots__ = ("pages", "token")

    def __init__(self, pages: list[RawPage | QuarantineEntry]) -> None:
        self.pages = pages
        self.token = uuid.uuid4().hex

    def __dask_tokenize__(self) -> str:
        return self.token


def process_pages(pages: Iterable[RawPage | QuarantineEntry]) -> BatchResult:
    """Run every page of a batch; fetch-stage quarantine entries pass straight through."""
    result = BatchResult()
    for page in pages:
        result.add(page if isinstance(page, QuarantineEntry) else process_raw_page(page))
    return result
