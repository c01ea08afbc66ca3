"""The `refresh` flow: read sources → parse in batches → assemble → publish a snapshot.

Orchestration only: every step is a plain function from `extract`, `medcodes.pipeline`,
`medcodes.dataset` and `output`. Pages travel in batches (one task per batch, not per page:
a task run costs ~8 ms of orchestration, too much at 100k pages).
"""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import Any, Iterable, Iterator

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from extract.sources import SourcePlan, plan_sources
from extract.rawpage import RawPage
from extract.stream import PageStream
from medcodes.carryover import PreviousSnapshot, keep_or_remove
from medcodes.dataset import Dataset, assemble_dataset
from medcodes.errors import TransientError
from medcodes.pipeline import BatchResult, PageBatch, process_pages
from medcodes.progress import reporter
from medcodes.sample import sample_pages_dir
from medcodes.settings import Settings
from output.lock import output_lock
from output.publish import latest_snapshot
from output.report import RunSummary, crawl_counts, summary_markdown
from output.snapshot import publish_dataset
from schemas.reasons import QuarantineEntry


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
def parse_batch(batch: PageBatch) -> BatchResult:
    return process_pages(batch.pages)


@task(name="assemble_dataset", cache_policy=NO_CACHE)
def assemble_dataset_task(result: BatchResult, max_quarantine_share: float) -> Dataset:
    return assemble_dataset(result, max_quarantine_share)


@task(name="load_previous_snapshot", cache_policy=NO_CACHE)
def load_previous_task(settings: Settings) -> PreviousSnapshot | None:
    latest = latest_snapshot(settings.out_dir)
    return PreviousSnapshot.load(latest) if latest is not None else None


@task(name="keep_or_remove_missing", cache_policy=NO_CACHE)
def keep_or_remove_task(previous: PreviousSnapshot | None, result: BatchResult,
                        crawl_stats: Any) -> tuple[list, set | None]:
    return keep_or_remove(previous, result, crawl_stats)


@task(name="publish_snapshot", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2,
      retry_condition_fn=retry_if_transient)
def publish_snapshot_task(dataset: Dataset, settings: Settings, sources: list[str],
                          stale: list, removed: set | None) -> RunSummary:
    return publish_dataset(dataset, settings, sources, stale=stale, removed=removed)


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def parse_all(pages: Iterable, batch_size: int, max_in_flight: int,
              previous: PreviousSnapshot | None = None) -> BatchResult:
    """Submit parse batches with at most `max_in_flight` outstanding, so reading stays bounded.

    Pages whose previous outcome `previous` can reuse (same bytes, same parser) skip parsing.
    """
    merged = BatchResult()
    in_flight: deque = deque()

    def needs_parsing(page: Any) -> bool:
        reused = previous.reuse(page) if previous is not None and isinstance(page, RawPage) else None
        if reused is None:
            return True
        merged.add(reused)
        merged.reused += 1
        reporter().pages_done(1, isinstance(reused, QuarantineEntry))
        return False

    def collect_oldest() -> None:
        result = in_flight.popleft().result()
        merged.extend(result)
        reporter().pages_done(result.pages, len(result.quarantine))

    for batch in batched(filter(needs_parsing, pages), batch_size):
        in_flight.append(parse_batch.submit(PageBatch(batch)))
        if len(in_flight) >= max_in_flight:
            collect_oldest()
    while in_flight:
        collect_oldest()
    return merged


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
    with output_lock(settings.out_dir):
        reporter().stage("reading sources")
        plan = plan_sources_task(sources)
        previous = load_previous_task(settings)
        reusable = previous if previous is not None and previous.reusable(settings.reparse) else None
        reporter().stage("parsing")
        stream = PageStream(plan, settings, on_crawl_progress=reporter().crawl_progress)
        result = parse_all(stream, settings.batch_size, 2 * settings.workers + 2, reusable)
        # quote(): big values pass through untouched (Prefect would walk them for futures)
        stale, removed = keep_or_remove_task(quote(previous), quote(result), quote(stream.crawl_stats))
        reporter().stage("validating")
        dataset = assemble_dataset_task(quote(result), settings.max_quarantine_share)
        reporter().stage("publishing")
        summary = publish_snapshot_task(quote(dataset), settings, sources, stale, quote(removed))
    summary.pages_reused = result.reused
    if stream.crawl_stats is not None:
        summary.crawl = crawl_counts(stream.crawl_stats)
    create_markdown_artifact(key="refresh-summary", markdown=summary_markdown(summary),
                             description="medcodes refresh: rows, quarantine, changes")
    logger.info("published snapshot %s (%d codes)", summary.snapshot_id, summary.rows["codes"])
    return summary.as_dict()
