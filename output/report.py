"""The run summary: what the CLI prints at the end and the flow publishes as an artifact."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RunSummary:
    """Counts a person checks after a run; `as_dict` is the flow's JSON-friendly return value."""

    snapshot_id: str
    snapshot_dir: str
    previous_snapshot_id: str | None
    pages: int
    rows: dict[str, int]
    codes_by_system: dict[str, int]
    quarantine_reasons: dict[str, int]
    changes: dict[str, int]
    licenses: list[str] = field(default_factory=list)
    stale_codes: int = 0
    pages_reused: int = 0  # unchanged pages whose rows were carried over without parsing
    files_unread: int = 0  # of those, local files not even read: size, times and inode unchanged
    parse_batches: int = 0  # parse tasks submitted: `batch_size` pages or `batch_max_mb` of bodies each
    crawl: dict[str, int | float] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)  # wall seconds per stage of the run

    def as_dict(self) -> dict:
        return asdict(self)


def crawl_counts(stats: Any) -> dict[str, int | float]:
    """The crawl's counts as the summary shows them (failures per reason as `failed:<reason>`)."""
    counts: dict[str, int | float] = {
        "discovered": stats.discovered, "fetched": stats.fetched,
        "unchanged_304": stats.from_cache_304, "resumed": stats.resumed,
        "retried": stats.retried, "robots_blocked": stats.robots_blocked,
        "pages_per_second": round(stats.pages_per_second, 1),
    }
    counts.update({f"failed:{reason}": n for reason, n in sorted(stats.failed.items())})
    return counts


def _table(header: tuple[str, str], rows: dict[str, int]) -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(rows.items())] or ["| (none) | 0 |"]
    return lines


def summary_markdown(summary: RunSummary) -> str:
    """Markdown for the Prefect artifact: rows per table and code system, quarantine, changes."""
    parts = [
        f"# medcodes snapshot `{summary.snapshot_id}`",
        "",
        f"{summary.pages} pages read ({summary.pages_reused} unchanged, not re-parsed; "
        f"{summary.files_unread} of those files not even read, their size, times and inode unchanged); previous snapshot: `{summary.previous_snapshot_id or 'none'}`; "
        f"stale codes carried over: {summary.stale_codes}.",
        "",
        "## Rows per table",
        *_table(("table", "rows"), summary.rows),
        "",
        "## Codes per code system",
        *_table(("code system", "codes"), summary.codes_by_system),
        "",
        "## Quarantine reasons",
        *_table(("reason", "pages"), summary.quarantine_reasons),
        "",
        "## Changes against the previous snapshot",
        *_table(("change", "codes"), summary.changes),
    ]
    if summary.crawl:
        parts += ["", "## Web crawl", *_table(("what", "count"), summary.crawl)]
    if summary.stage_seconds:
        parts += ["", "## Seconds per stage", *_table(("stage", "seconds"), summary.stage_seconds)]
    return "\n".join(parts) + "\n"
