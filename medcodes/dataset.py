"""Assemble a run's page records into the validated, sorted tables of one snapshot.

Order of work: one record per code (`transform.dedupe`), schema validation of the code
rows (a page that fails moves to quarantine whole, with its sections and links), the
quarantine-share gate, then typed Arrow tables in the contract's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from medcodes.errors import PublishRefused
from medcodes.pipeline import BatchResult
from output.parquet import sorted_arrow
from schemas.reasons import QuarantineEntry
from schemas.tables import arrow_schema
from schemas.validate import validate_codes
from transform.dedupe import dedupe_records
from transform.record import PageRecord


@dataclass
class Dataset:
    """The tables of one snapshot except `changes`, which needs the previous snapshot."""

    codes: pa.Table
    sections: pa.Table
    related_codes: pa.Table
    quarantine: pa.Table
    pages: int

    def tables(self) -> dict[str, pa.Table]:
        return {"codes": self.codes, "sections": self.sections,
                "related_codes": self.related_codes, "quarantine": self.quarantine}


def rows_table(table: str, rows: list[dict]) -> pa.Table:
    """Row dicts as a sorted Arrow table with the table's exact schema."""
    return sorted_arrow(pa.Table.from_pylist(rows, schema=arrow_schema(table)), table)


def valid_records(records: list[PageRecord]) -> tuple[list[PageRecord], list[QuarantineEntry]]:
    """Validate all code rows at once; keep the records whose row passed (keys are unique here)."""
    if not records:
        return [], []
    frame = pd.DataFrame([r.code_row for r in records])
    valid, rejected = validate_codes(frame)
    if not rejected:
        return records, []
    passed = set(zip(valid["code_system"], valid["code"]))
    return [r for r in records if (r.code_row["code_system"], r.code_row["code"]) in passed], rejected


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


def assemble_dataset(result: BatchResult, max_quarantine_share: float) -> Dataset:
    """Dedupe, validate, gate and type a run's records; raises `PublishRefused` at the gate."""
    records, duplicates = dedupe_records(result.records)
    records, invalid = valid_records(records)
    quarantine = result.quarantine + duplicates + invalid
    check_quarantine_share(result.pages, len(quarantine), max_quarantine_share)
    return Dataset(
        codes=rows_table("codes", [r.code_row for r in records]),
        sections=rows_table("sections", [s for r in records for s in r.section_rows]),
        related_codes=rows_table("related_codes", [x for r in records for x in r.related_rows]),
        quarantine=rows_table("quarantine", [q.as_row() for q in quarantine]),
        pages=result.pages,
    )
