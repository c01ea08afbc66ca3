"""The web source the pipeline calls: `crawl(sources, …)` → RawPage or QuarantineEntry, as they finish.

Reads settings: `max_pages`, `concurrency_per_host` (workers), `include`/`exclude`,
`follow_links`/`max_depth` (via `extract.discovery`), every fetch setting via `extract.fetcher`.

The async engine runs on its own thread and event loop and hands results over a bounded
queue, so a synchronous caller sees a plain iterator and memory stays flat however large the
site: the engine pauses when the caller falls behind. Every discovered URL ends as exactly
one yielded item; a sitemap that could not be read is itself yielded as a QuarantineEntry.
The run is marked finished in the store only when the iterator is exhausted, so a crawl
interrupted for any reason resumes (see `extract.raw_store`) instead of starting over.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from extract.discovery import Discovered, SourceReport, UrlFilter, discover, linked_pages, source_kind
from extract.fetcher import Fetcher
from extract.rawpage import RawPage, utc_now
from extract.raw_store import RawStore, from_cache
from extract.urls import canonicalize, host_key
from medcodes.settings import Settings
from schemas.reasons import QuarantineEntry, Reason, Stage

OUT_QUEUE_SIZE = 64  # items finished but not yet taken by the caller
WORK_HIGH_WATER = 1_000  # discovered URLs waiting for a worker before discovery pauses
PROGRESS_EVERY = 0.5  # seconds between progress callbacks
_DONE = object()


@dataclass
class CrawlStats:
    """Counts for progress display and the run summary; `sources` says how each SOURCE was read."""

    discovered: int = 0
    fetched: int = 0
    from_cache_304: int = 0
    resumed: int = 0
    retried: int = 0
    robots_blocked: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    truncated: bool = False  # `max_pages` stopped discovery
    gone: dict[str, int] = field(default_factory=dict)  # URL → 404/410: pages the site removed
    sources: dict[str, SourceReport] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def done(self) -> int:
        return self.fetched + self.from_cache_304 + self.resumed + sum(self.failed.values())

    @property
    def pages_per_second(self) -> float:
        elapsed = (self.finished or time.monotonic()) - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def sitemap_complete(self) -> dict[str, bool | None]:
        """Per SOURCE: True only if its whole sitemap listing was read and no page budget cut it."""
        return {s: (r.sitemap_complete and not self.truncated) if r.sitemap_complete is not None else None
                for s, r in self.sources.items()}

    def count(self, item: RawPage | QuarantineEntry) -> None:
        if isinstance(item, QuarantineEntry):
            self.failed[item.reason] += 1
            self.robots_blocked += item.reason == Reason.ROBOTS_DISALLOWED.value
            if item.reason in (Reason.HTTP_404.value, Reason.HTTP_410.value):
                self.gone[item.source_url] = int(item.reason[5:])
            return
        marker = from_cache(item)
        if marker == "revalidated":
            self.from_cache_304 += 1
        elif marker == "resumed":
            self.resumed += 1
        else:
            self.fetched += 1


class CrawlRun:
    """The iterator `crawl` returns; `stats` is live while iterating and final after it."""

    def __init__(self, sources: list[str], settings: Settings, store: RawStore,
                 progress: Callable[[CrawlStats], None] | None, processes: int | None = None) -> None:
        self.sources = [canonicalize(s) for s in sources]
        self.settings = settings
        self.processes = processes or settings.fetch_processes
        self.store = store
        self.stats = CrawlStats()
        self.run_id = store.begin_run(self.sources)
        self._progress = progress
        self._last_progress = 0.0
        self._out: queue.Queue = queue.Queue(OUT_QUEUE_SIZE)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run_loop, name="medcodes-crawl", daemon=True)
        self._thread.start()
        self._ready.wait()

    def __iter__(self) -> "CrawlRun":
        return self

    def __next__(self) -> RawPage | QuarantineEntry:
        item = self._out.get()
        if item is _DONE:
            self._thread.join()
            self.stats.finished = time.monotonic()
            self.store.finish_run(self.run_id)
            self._report(force=True)
            raise StopIteration
        if isinstance(item, BaseException):
            self._thread.join()
            raise item
        self._report()
        return item

    def close(self) -> None:
        """Stop early (the run stays unfinished, so the next crawl of these sources resumes)."""
        if self._thread.is_alive() and self._loop is not None and self._main is not None:
            self._loop.call_soon_threadsafe(self._main.cancel)
            while self._thread.is_alive():  # unblock the engine if it waits on a full queue
                try:
                    self._out.get(timeout=0.05)
                except queue.Empty:
                    pass
        self._thread.join()

    def __del__(self) -> None:
        if hasattr(self, "_thread"):
            self.close()

    def _report(self, force: bool = False) -> None:
        now = time.monotonic()
        if self._progress and (force or now - self._last_progress >= PROGRESS_EVERY):
            self._last_progress = now
            self._progress(self.stats)

    # --- engine thread ------------------------------------------------------------------
    def _run_loop(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._main = loop.create_task(self._engine())
            self._ready.set()
            loop.run_until_complete(self._main)
            self._out.put(_DONE)
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # a bug or a store failure: re-raised in the caller's thread
            self._out.put(exc)
        finally:
            self._ready.set()
            loop.close()

    async def _emit(self, item: object) -> None:
        while True:  # poll, not block: a blocked put could never be cancelled by `close`
            try:
                self._out.put_nowait(item)
                return
            except queue.Full:
                await asyncio.sleep(0.002)

    async def _engine(self) -> None:
        settings, stats = self.settings, self.stats
        fetcher = Fetcher(settings, self.store, self.run_id, on_retry=self._count_retry, processes=self.processes)
        keep = UrlFilter(settings)
        work: asyncio.Queue[Discovered] = asyncio.Queue()
        seen: set[str] = set()

        def admit(found: Discovered) -> None:
            if found.url in seen or not keep(found.url):
                return
            if settings.max_pages is not None and len(seen) >= settings.max_pages:
                stats.truncated = True
                return
            seen.add(found.url)
            stats.discovered += 1
            work.put_nowait(found)

        async def produce() -> None:
            for source in self.sources:
                report = stats.sources[source] = SourceReport(source, source_kind(source))
                async for found in discover(source, fetcher, settings, report):
                    while work.qsize() >= WORK_HIGH_WATER:
                        await asyncio.sleep(0.01)
                    admit(found)
                for url, reason, detail in report.listing.failures:
                    entry = QuarantineEntry(url, Stage.FETCH.value, reason, detail, None, utc_now())
                    stats.failed[reason] += 1
                    await self._emit(entry)
            await work.join()

        async def worker() -> None:
            while True:
                found = await work.get()
                try:
                    item = await fetcher.fetch_page(found.url)
                    stats.count(item)
                    if isinstance(item, RawPage) and found.follow:
                        for child in linked_pages(found, item.body, settings, keep):
                            admit(child)
                    await self._emit(item)
                finally:
                    work.task_done()

        hosts = {host_key(s) for s in self.sources}
        workers = [asyncio.create_task(worker()) for _ in range(settings.concurrency_per_host * max(1, len(hosts)))]
        producer = asyncio.create_task(produce())
        try:
            done, _ = await asyncio.wait([producer, *workers], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # re-raise a worker's or producer's exception
        finally:
            for task in [producer, *workers]:
                task.cancel()
            await asyncio.gather(producer, *workers, return_exceptions=True)
            await fetcher.aclose()
            self.store.flush()  # batched state writes: commit them however the crawl stopped

    def _count_retry(self) -> None:
        self.stats.retried += 1


def crawl(sources: list[str], settings: Settings, store: RawStore,
          progress: Callable[[CrawlStats], None] | None = None, processes: int | None = None) -> CrawlRun:
    """Discover and fetch every page the SOURCE URLs name; iterate the result for the outcomes.

    `processes` (default `settings.fetch_processes`) fetch processes perform the requests
    (`extract.fetch_pool`); politeness limits hold across them, exactly as configured.

    The returned `CrawlRun` is an `Iterator[RawPage | QuarantineEntry]`; its `.stats`
    (a `CrawlStats`) also carries per-source sitemap completeness and the 404/410 URLs.
    """
    return CrawlRun(sources, settings, store, progress, processes)
