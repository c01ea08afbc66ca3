"""What a person sees while a run works and when it ends: a live progress line and a summary."""

from __future__ import annotations

import logging
from typing import Any, Callable

from pydantic import ValidationError

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from extract.sources import plan_sources
from medcodes.api_server import api_server_for_run
from medcodes.errors import MedcodesError
from medcodes.settings import Settings
from medcodes.progress import set_reporter


class RichReporter:
    """Progress bar fed by the flow as batches finish (the total is unknown while crawling)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("starting", total=None, quarantined=0)
        self.quarantined = 0

    def stage(self, name: str) -> None:
        self.progress.update(self.task, description=name)

    def pages_done(self, pages: int, quarantined: int) -> None:
        self.quarantined += quarantined
        self.progress.update(self.task, advance=pages, quarantined=self.quarantined)

    def crawl_progress(self, stats: Any) -> None:
        failed = sum(stats.failed.values())
        self.progress.update(
            self.task,
            description=(f"crawling: {stats.discovered} found, {stats.fetched} fetched, "
                         f"{stats.from_cache_304} unchanged (304), {stats.retried} retried, "
                         f"{failed} failed, {stats.pages_per_second:.0f} pages/s"),
        )


def render_summary(summary: dict, console: Console) -> None:
    table = Table(title=f"snapshot {summary['snapshot_id']}", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("pages read", str(summary["pages"]))
    table.add_row("  unchanged, not re-parsed", str(summary.get("pages_reused", 0)))
    table.add_row("    files not even read (same size, times, inode)", str(summary.get("files_unread", 0)))
    table.add_row("  parse tasks (batches)", str(summary.get("parse_batches", 0)))
    for name, rows in summary["rows"].items():
        table.add_row(f"{name} rows", str(rows))
    for system, count in sorted(summary["codes_by_system"].items()):
        table.add_row(f"  codes: {system}", str(count))
    for reason, count in sorted(summary["quarantine_reasons"].items()):
        table.add_row(f"  quarantine: {reason}", str(count))
    for change, count in sorted(summary["changes"].items()):
        table.add_row(f"  changes: {change}", str(count))
    for what, count in summary.get("crawl", {}).items():
        table.add_row(f"  crawl: {what}", str(count))
    if summary.get("stale_codes"):
        table.add_row("stale codes (kept from previous run)", str(summary["stale_codes"]))
    for stage, seconds in summary.get("stage_seconds", {}).items():
        table.add_row(f"  seconds: {stage}", f"{seconds:.1f}")
    console.print(table)
    console.print(f"published [bold]{summary['snapshot_dir']}[/bold]")


def quiet_prefect_failures() -> None:
    """Prefect logs a failed run's traceback; the CLI prints the reason itself (--verbose shows both)."""
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def run_refresh_with_progress(
    sources: list[str], out_dir: str | None, options: dict[str, Any], out: Console, err: Console,
    verbose: bool = False,
) -> int:
    """Run the refresh flow with a progress display; return the process exit status."""
    try:
        settings = Settings(**options, **({"out_dir": out_dir} if out_dir else {}))
    except ValidationError as exc:
        err.print(f"[red]medcodes: invalid option:[/red] {exc}")
        return 2
    # the API server boots while the sources are checked and Prefect, Dask and the parser imported
    with api_server_for_run() as api_ready:
        try:
            plan_sources(sources)  # fail fast on a bad SOURCE, before Prefect starts
        except MedcodesError as exc:
            err.print(f"[red]medcodes: not published:[/red] {exc}")
            return 2
        return _run_flow(sources, out_dir, options, settings, api_ready, out, err, verbose)


def _run_flow(sources: list[str], out_dir: str | None, options: dict[str, Any], settings: Settings,
              api_ready: Callable[[], None], out: Console, err: Console, verbose: bool) -> int:
    from flows.refresh import refresh
    from flows.runners import task_runner_for
    from medcodes.process import freeze_loaded_objects

    freeze_loaded_objects()
    if not verbose:
        quiet_prefect_failures()

    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} pages, {task.fields[quarantined]} quarantined"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    try:
        with progress:
            set_reporter(RichReporter(progress))
            api_ready()
            run_flow = refresh.with_options(task_runner=task_runner_for(settings))
            summary = run_flow(sources=sources, out_dir=out_dir, options=options)
    except MedcodesError as exc:
        err.print(f"[red]medcodes: not published:[/red] {exc}")
        return 1
    finally:
        set_reporter(None)
    render_summary(summary, out)
    return 0
