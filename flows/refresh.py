"""The `refresh` flow: read sources → parse and validate in batches → spool → select → publish.

Orchestration only: every step is a plain function from `extract`, `medcodes` and `output`.
Pages travel in batches (one task per batch, not per page: a task run costs ~8 ms of
orchestration, too much at 100k pages). Each finished batch is written to the run's spool
on disk at once and only its keys stay in memory (`RunLedger`), so memory stays flat
however many pages a run reads; the snapshot's tables are sorted and written at the end
(`output.assemble`).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Iterable, Iterator

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from extract.file_hashes import FileHashes, UnchangedFile
from extract.sources import SourcePlan, plan_sources
from extract.rawpage import RawPage
from extract.stream import PageStream, read_page
from flows.runners import release_local_workers
from medcodes.batch import BatchTables, tabulate
from medcodes.carryover import PreviousSnapshot, keep_or_remove
from medcodes.dataset import select_rows
from medcodes.errors import TransientError
from medcodes.ledger import RunLedger
from medcodes.pipeline import PageBatch, page_batches, process_pages
from medcodes.progress import StageClock, reporter
from medcodes.sample import sample_pages_dir
from medcodes.settings import Settings
from output.lock import output_lock
from output.publish import latest_snapshot
from output.report import RunSummary, crawl_counts, summary_markdown
from output.assemble import Selection
from output.snapshot import publish_selection
from output.spool import Spool


def retry_if_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only what may succeed next time (a held lock, a full-but-draining disk)."""
    try:
        state.result()
    except TransientError:
        return True
    except Exception:  # noqa: BLE001 - anything else is terminal
        return False
    return False


@task(name="plan_sources", cache_policy=NO_CACHE)
def plan_sources_task(sources: list[str]) -> SourcePlan:
    return plan_sources(sources)


@task(name="parse_batch", cache_policy=NO_CACHE)
def parse_batch(batch: PageBatch) -> BatchTables:
    return tabulate(process_pages(batch))


@task(name="load_previous_snapshot", cache_policy=NO_CACHE)
def load_previous_task(settings: Settings) -> PreviousSnapshot | None:
    latest = latest_snapshot(settings.out_dir)
    return PreviousSnapshot.load(latest) if latest is not None else None


@task(name="load_file_hashes", cache_policy=NO_CACHE)
def load_file_hashes_task(settings: Settings, trusted: bool) -> FileHashes:
    """The file-hash cache when unchanged files may be trusted, else an empty one to fill."""
    return FileHashes.load(settings.raw_dir) if trusted else FileHashes()


@task(name="save_file_hashes", cache_policy=NO_CACHE)
def save_file_hashes_task(file_hashes: FileHashes, settings: Settings) -> None:
    file_hashes.save(settings.raw_dir)


@task(name="keep_or_remove_missing", cache_policy=NO_CACHE)
def keep_or_remove_task(previous: PreviousSnapshot | None, ledger: RunLedger,
                        crawl_stats: Any) -> set | None:
    return keep_or_remove(previous, ledger, crawl_stats)


@task(name="select_rows", cache_policy=NO_CACHE)
def select_rows_task(spool: Spool, ledger: RunLedger, previous: PreviousSnapshot | None,
                     max_quarantine_share: float) -> Selection:
    return select_rows(spool, ledger, previous, max_quarantine_share)


@task(name="publish_snapshot", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2,
      retry_condition_fn=retry_if_transient)
def publish_snapshot_task(selection: Selection, settings: Settings, sources: list[str], pages: int,
                          stale: list, removed: set | None) -> RunSummary:
    return publish_selection(selection, settings, sources, pages=pages, stale=stale, removed=removed)


def parse_all(pages: Iterable, settings: Settings, spool: Spool, ledger: RunLedger,
              previous: PreviousSnapshot | None = None) -> int:
    """Parse pages in batches, at most two per worker outstanding (one running, one queued
    behind it, so a worker that finishes while an older batch is still running elsewhere has
    its next one at hand), so memory holds a few batches, never the run; finished batches go,
    in submission order, to the spool (rows) and the ledger (keys and counts).

    Pages whose previous outcome `previous` can carry over (same bytes, same parser) skip
    parsing; an `UnchangedFile` (bytes known from the file-hash cache) is read only if not.
    Returns how many batches were parsed.
    """
    in_flight: deque = deque()
    max_in_flight = 2 * settings.workers

    def carried(page: RawPage | UnchangedFile) -> bool:
        if previous is None:
            return False
        quarantined = ledger.quarantined
        if not previous.carry_over(page, ledger):
            return False
        reporter().pages_done(1, ledger.quarantined - quarantined)
        return True

    def to_parse(pages: Iterable) -> Iterator:
        for page in pages:
            if isinstance(page, UnchangedFile):
                if carried(page):
                    ledger.unread += 1
                    continue
                page = read_page(page.path)  # known bytes, but not the previous snapshot's
            elif isinstance(page, RawPage) and carried(page):
                continue
            yield page

    def collect_oldest() -> None:
        tables = in_flight.popleft().result()
        spool.add(tables.tables())
        ledger.add_batch(tables)
        reporter().pages_done(tables.pages, tables.quarantine.num_rows)

    submitted = 0
    for batch in page_batches(to_parse(pages), settings.batch_size, settings.batch_max_mb * 2**20):
        in_flight.append(parse_batch.submit(PageBatch(batch)))
        submitted += 1
        if len(in_flight) >= max_in_flight:
            collect_oldest()
    while in_flight:
        collect_oldest()
    return submitted


@flow(name="refresh", log_prints=False)
def refresh(
    sources: list[str] | None = None,
    out_dir: str | None = None,
    options: dict[str, Any] | None = None,
) -> dict:
    """Build and publish one snapshot from `sources` (the bundled sample when empty).

    `options` holds any other `Settings` field (e.g. `{"batch_size": 500}`); fields not
    given come from `MEDCODES_*` environment variables, then defaults.
    """
    overrides = dict(options or {})
    if out_dir is not None:
        overrides["out_dir"] = out_dir
    settings = Settings(**overrides)
    sources = list(sources or [str(sample_pages_dir())])
    logger = get_run_logger()

    # One run per output folder at a time: the lock is held from the first fetch to the swap.
    clock = StageClock()
    with output_lock(settings.out_dir), Spool.create(settings.out_dir) as spool:
        clock.start("reading sources")
        plan = plan_sources_task(sources)
        previous = load_previous_task(settings)
        reusable = previous if previous is not None and previous.reusable(settings.reparse) else None
        # Reading a file whose rows will be reused anyway is the cost of a run on unchanged
        # folders; its hash is known from the last run's stat unless the user asks to rehash.
        file_hashes = load_file_hashes_task(settings, trusted=reusable is not None and not settings.rehash) \
            if plan.files else None
        clock.start("parsing")
        stream = PageStream(plan, settings, on_crawl_progress=reporter().crawl_progress, file_hashes=file_hashes)
        ledger = RunLedger()
        batches = parse_all(stream, settings, spool, ledger, reusable)
        if batches:
            release_local_workers(settings)
        if file_hashes is not None:
            save_file_hashes_task(quote(file_hashes), settings)
        # quote(): big values pass through untouched (Prefect would walk them for futures)
        removed = keep_or_remove_task(quote(previous), quote(ledger), quote(stream.crawl_stats))
        clock.start("validating")
        selection = select_rows_task(quote(spool), quote(ledger), quote(previous), settings.max_quarantine_share)
        clock.start("publishing")
        summary = publish_snapshot_task(quote(selection), settings, sources, ledger.pages,
                                        sorted(ledger.stale), quote(removed))
    summary.pages_reused = ledger.reused
    summary.files_unread = ledger.unread
    summary.parse_batches = batches
    summary.stage_seconds = clock.stop()
    if stream.crawl_stats is not None:
        summary.crawl = crawl_counts(stream.crawl_stats)
    create_markdown_artifact(key="refresh-summary", markdown=summary_markdown(summary),
                             description="medcodes refresh: rows, quarantine, changes")
    logger.info("published snapshot %s (%d codes)", summary.snapshot_id, summary.rows["codes"])
    return summary.as_dict()
