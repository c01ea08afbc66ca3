"""One stream of pages from a `SourcePlan`: local files, then WARC captures, then the web.

Every item is a `RawPage` or a `QuarantineEntry`, or an `UnchangedFile`: a local file whose
hash `FileHashes` already knows, not read (the consumer reads it with `read_page` only if it
must parse it). Nothing named by the plan is dropped silently. The stream is lazy so a run
holds only the batches in flight, not the corpus. After iteration, `PageStream.crawl_stats`
holds what the web crawl saw (304s, 404/410s, sitemap completeness) for the run summary and
for removal decisions.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Iterator

from extract.file_hashes import FileHashes, UnchangedFile
from extract.local import file_uri, read_local_file
from extract.rawpage import RawPage, utc_now
from extract.raw_store import RawStore
from extract.sources import SourcePlan
from extract.warc import iter_warc_pages
from extract.web import CrawlStats, crawl
from medcodes.settings import Settings
from schemas.reasons import QuarantineEntry, Reason, Stage

Page = RawPage | QuarantineEntry


def read_page(path: str | Path) -> Page:
    """A local file's page, or its `read_error` quarantine entry."""
    try:
        return read_local_file(path)
    except OSError as exc:
        return _unreadable(path, exc)


def iter_local_files(plan: SourcePlan, hashes: FileHashes | None = None) -> Iterator[Page | UnchangedFile]:
    """The plan's files in order: read, or `UnchangedFile` where `hashes` knows the bytes;
    every file read is recorded in `hashes` for the next run."""
    for path in plan.files:
        if hashes is None:
            yield read_page(path)
            continue
        page: Page | UnchangedFile
        try:
            stat_taken_ns = time.time_ns()
            stat = os.stat(path)  # before reading: see extract.file_hashes
            page = hashes.lookup(path, stat) or read_local_file(path, stat)
        except OSError as exc:
            page = _unreadable(path, exc)
        else:
            if isinstance(page, RawPage):
                hashes.record(path, stat, page, stat_taken_ns)
        yield page


def _unreadable(path: str | Path, exc: OSError) -> QuarantineEntry:
    return QuarantineEntry(
        source_url=file_uri(path),
        stage=Stage.FETCH.value,
        reason=Reason.READ_ERROR.value,
        detail=f"cannot read {path}: {exc.strerror or exc}",
        content_sha256=None,
        seen_at=utc_now(),
    )


class PageStream:
    """All pages the plan names, files first, each exactly once; iterate it once."""

    def __init__(self, plan: SourcePlan, settings: Settings,
                 on_crawl_progress: Callable[[CrawlStats], None] | None = None,
                 file_hashes: FileHashes | None = None) -> None:
        self.plan = plan
        self.settings = settings
        self.file_hashes = file_hashes
        self.on_crawl_progress = on_crawl_progress
        self.crawl_stats: CrawlStats | None = None

    def __iter__(self) -> Iterator[Page | UnchangedFile]:
        yield from iter_local_files(self.plan, self.file_hashes)
        for warc in self.plan.warcs:
            yield from iter_warc_pages(warc)
        if self.plan.urls:
            yield from self._crawl()

    def _crawl(self) -> Iterator[Page]:
        store = RawStore.for_settings(self.settings)
        run = crawl(self.plan.urls, self.settings, store, progress=self.on_crawl_progress)
        self.crawl_stats = run.stats
        try:
            yield from run
        finally:
            run.close()
            store.close()
