"""The per-page path as plain functions: bytes → parsed structure → contract rows.

Flows call these on batches; tests and the golden-set scorer call them directly. A page
always ends as rows or as a quarantine entry: an unexpected exception inside parsing or
normalization becomes `parse_error` with the exception named, so one hostile page can't
stop a nightly run (the traceback goes to the log for the developers).
"""

from __future__ import annotations

import logging
import pickle
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Iterable, Iterator

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


def page_batches(pages: Iterable[RawPage | QuarantineEntry], max_pages: int,
                 max_bytes: int) -> Iterator[list[RawPage | QuarantineEntry]]:
    """The pages in order, cut into lists of at most `max_pages` pages and, once past the
    first page, `max_bytes` of page bodies (a page bigger than that alone makes a batch).

    Why bytes as well as pages: what a batch holds while it travels and is parsed (its
    bodies on the way and in the worker, its text's records and rows) grows with its pages'
    size, and each worker holds two batches and the flow's process two per worker. Cut by
    pages alone, a site of 200 KB pages would hold thirteen times what the 15 KB pages the
    batch size was measured on hold."""
    batch: list[RawPage | QuarantineEntry] = []
    size = 0
    for page in pages:
        body = len(page.body) if isinstance(page, RawPage) else 0
        if batch and (len(batch) >= max_pages or size + body > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(page)
        size += body
    if batch:
        yield batch


class PageBatch:
    """The pages of one parse task, opaque to Prefect, which would otherwise walk every page's
    fields to look for futures (measured: a third of a run's CPU).

    It names itself to Dask by a random token: Dask otherwise derives a task's key by pickling
    and hashing its arguments, every page body again (measured: 0.3 ms per page in the flow's
    process). Each batch is submitted once, so a unique token is the right identity.

    It pickles packed (`_pack`): the flow's process pickles each batch twice, as the Dask
    client and again as the scheduler, with cloudpickle, whose Python hook runs per object,
    and msgpack copied the in-band bodies into each message. Packed, a batch is one body blob,
    which protocol 5 hands over out-of-band, uncopied, and a list of plain values per page; an
    unpickled batch stays packed until its `pages` are read (on the worker), so the scheduler
    passes it on as it came. Measured per 1,000-page batch in the flow's process: 40-50 ms
    of CPU before, 7-9 ms after.
    """

    __slots__ = ("_pages", "_packed", "token")

    def __init__(self, pages: list[RawPage | QuarantineEntry], token: str | None = None) -> None:
        self._pages: list | None = pages
        self._packed: tuple | None = None
        self.token = token or uuid.uuid4().hex

    @property
    def pages(self) -> list[RawPage | QuarantineEntry]:
        if self._pages is None:
            self._pages, self._packed = list(_unpacked(*self._packed)), None
        return self._pages

    def __iter__(self) -> Iterator[RawPage | QuarantineEntry]:
        """The pages in order; a packed batch's are unpacked one at a time and kept by nobody.

        Why: the worker's task holds the packed batch, body blob included, until the task
        ends, and `pages` would copy every body out of the blob for as long (~16 MB more per
        1,000-page batch on each worker). Iterated, only the page being parsed has its copy."""
        return iter(self._pages) if self._pages is not None else _unpacked(*self._packed)

    def __dask_tokenize__(self) -> str:
        return self.token

    def __reduce_ex__(self, protocol: int) -> tuple:
        blob, states, others = self._packed if self._pages is None else _pack(self._pages)
        # out-of-band when the pickler takes buffers (protocol 5), else in the stream as bytes
        blob = pickle.PickleBuffer(blob) if protocol >= 5 else bytes(blob)
        return _packed_batch, (self.token, (blob, states, others))


def _packed_batch(token: str, packed: tuple) -> PageBatch:
    batch = PageBatch([], token)
    batch._pages, batch._packed = None, packed
    return batch


_EPOCH, _MICROSECOND = datetime(1970, 1, 1), timedelta(microseconds=1)


def _pack(items: list) -> tuple:
    """(body blob, each RawPage's attributes with `body` as its size and `fetched_at` as a
    `_stamp`, (position, item) of the other items). A computed `sha256` is an attribute (a
    cached_property's value), so it travels; one not computed stays to compute."""
    pages = [item for item in items if type(item) is RawPage]
    others = [(at, item) for at, item in enumerate(items) if type(item) is not RawPage]
    states = [page.__dict__ | {"body": len(page.body), "fetched_at": _stamp(page.fetched_at)} for page in pages]
    return b"".join(page.body for page in pages), states, others


def _unpacked(blob: Any, states: list[dict], others: list) -> Iterator:
    """`_pack`'s items in their order: each page rebuilt, with a copy of its body, as it is
    reached; the other items at their positions."""
    view, start, emitted = memoryview(blob), 0, 0
    waiting = iter(others)
    other = next(waiting, None)
    for state in states:
        while other is not None and other[0] == emitted:
            yield other[1]
            emitted += 1
            other = next(waiting, None)
        end = start + state["body"]
        page = object.__new__(RawPage)  # as pickle rebuilds an object: its attributes set, no __init__
        page.__dict__.update(state, body=bytes(view[start:end]), fetched_at=_moment(*state["fetched_at"]))
        yield page
        emitted += 1
        start = end
    while other is not None:
        yield other[1]
        other = next(waiting, None)


def _stamp(moment: datetime) -> tuple[int, tzinfo | None, int]:
    """A datetime as (wall clock in µs, its own tzinfo object, fold): values cloudpickle's
    per-object hook skips (measured 2.2 ms per 1,000 datetimes), exact for any zone."""
    return (moment.replace(tzinfo=None) - _EPOCH) // _MICROSECOND, moment.tzinfo, moment.fold


def _moment(wall: int, zone: tzinfo | None, fold: int) -> datetime:
    return (_EPOCH + wall * _MICROSECOND).replace(tzinfo=zone, fold=fold)


def process_pages(pages: Iterable[RawPage | QuarantineEntry]) -> BatchResult:
    """Run every page of a batch; fetch-stage quarantine entries pass straight through."""
    result = BatchResult()
    for page in pages:
        result.add(page if isinstance(page, QuarantineEntry) else process_raw_page(page))
    return result
