"""Decide which rows make a run's snapshot: one page per code, carried rows, the gate.

The decisions run over the run's `RunLedger` (a few bytes per page), never over the rows:
duplicates by `transform.dedupe.choose_kept`, then the quarantine-share gate, then a
`Selection` that `output.assemble` turns into sorted tables. `assemble_dataset` runs the
same path for one in-memory batch (tests and the golden-set scorer).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from medcodes.batch import tabulate
from medcodes.carryover import PreviousSnapshot
from medcodes.errors import PublishRefused
from medcodes.ledger import RunLedger
from medcodes.pipeline import BatchResult
from medcodes.settings import Settings
from output.assemble import Selection, write_selected
from output.spool import Spool
from transform.dedupe import choose_kept


@dataclass
class Dataset:
    """The tables of one snapshot except `changes`, in memory (small runs and tests only)."""

    codes: pa.Table
    sections: pa.Table
    related_codes: pa.Table
    quarantine: pa.Table
    pages: int

    def tables(self) -> dict[str, pa.Table]:
        return {"codes": self.codes, "sections": self.sections,
                "related_codes": self.related_codes, "quarantine": self.quarantine}


def check_quarantine_share(pages: int, quarantined: int, max_share: float) -> None:
    """Refuse to publish a run that lost too many pages: likely a site redesign or an outage."""
    if pages == 0:
        raise PublishRefused("no pages were read from the sources; nothing to publish")
    share = quarantined / pages
    if share > max_share:
        raise PublishRefused(
            f"{quarantined} of {pages} pages ({share:.0%}) ended in quarantine, more than the "
            f"allowed {max_share:.0%} (--max-quarantine-share / MEDCODES_MAX_QUARANTINE_SHARE); "
            "see the quarantine reasons with --verbose"
        )


def select_rows(spool: Spool, ledger: RunLedger, previous: PreviousSnapshot | None,
                max_quarantine_share: float) -> Selection:
    """One page per code and the gate; raises `PublishRefused` above the quarantine share."""
    duplicates = choose_kept(ledger.candidates, previous.filled_for if previous is not None else _no_counts)
    check_quarantine_share(ledger.pages, ledger.quarantined + len(duplicates), max_quarantine_share)
    losers = {entry.source_url for entry in duplicates}
    carried = set(ledger.carried_urls) - losers
    kept_carried = [c for c in ledger.candidates if c.source_url in carried]
    return Selection(
        spool=spool,
        previous_dir=previous.snapshot_dir if previous is not None else None,
        carried_urls=sorted(carried),
        carried_keys=sorted((c.code_system, c.code) for c in kept_carried),
        carried_failures=sorted(ledger.carried_failures),
        dropped_urls=sorted(losers - set(ledger.carried_urls)),
        duplicates=duplicates,
        key_splits=key_splits(ledger, previous),
    )


def key_splits(ledger: RunLedger, previous: PreviousSnapshot | None) -> list[tuple[str, str]]:
    """Every `codes_per_slice`-th key of this run and the previous snapshot: where the
    snapshot's tables are cut into separately sorted slices (`output.assemble.key_slices`)."""
    keys = ledger.keys() | ({(c.code_system, c.code) for c in previous.records.values()} if previous else set())
    return sorted(keys)[CODES_PER_SLICE::CODES_PER_SLICE]


CODES_PER_SLICE = 10_000  # ~110k section rows: sorted within a few tens of MB


def _no_counts(candidates: object) -> dict[str, int]:
    raise AssertionError("every candidate of a run without a previous snapshot has its fill count")


def assemble_dataset(result: BatchResult, max_quarantine_share: float) -> Dataset:
    """Dedupe, validate, gate and sort one in-memory batch through the run's own path."""
    with tempfile.TemporaryDirectory(prefix="medcodes-assemble-") as work:
        settings = Settings(out_dir=Path(work))
        with Spool(Path(work) / "spool") as spool:
            batch = tabulate(result)
            spool.add(batch.tables())
            ledger = RunLedger()
            ledger.add_batch(batch)
            selection = select_rows(spool, ledger, None, max_quarantine_share)
            out = Path(work) / "tables"
            out.mkdir()
            write_selected(selection, out, settings, removed=None)
            tables = {name: pq.read_table(out / f"{name}.parquet")
                      for name in ("codes", "sections", "related_codes", "quarantine")}
    return Dataset(**tables, pages=result.pages)
