"""A run's bookkeeping, a few bytes per page, while its rows wait on disk (`output.spool`).

It holds what the end of the run decides from: the candidates for each code (duplicates),
the previous snapshot's rows carried over (reused or stale), the pages seen and quarantined
(the gate), and which pages failed or are gone (the evidence for removals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa

from medcodes.batch import BatchTables
from schemas.reasons import Reason
from transform.dedupe import Candidate

Key = tuple[str, str]
GONE_REASONS = frozenset({Reason.HTTP_404.value, Reason.HTTP_410.value})
_EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))  # (the zone object `to_pylist` gives)


def column_values(column: pa.ChunkedArray) -> list:
    """`column.to_pylist()`, faster for a microsecond UTC timestamp column (`fetched_at`).

    Why: pyarrow builds each zone-aware `datetime` at ~5 µs; the same values from the
    integers cost a tenth of that, and a run converts one per page at least twice (each
    batch into the ledger, the previous snapshot's index)."""
    kind = column.type
    if not (pa.types.is_timestamp(kind) and kind.unit == "us" and kind.tz == "UTC"):
        return column.to_pylist()
    return [None if micros is None else _EPOCH + timedelta(microseconds=micros)
            for micros in column.cast(pa.int64()).to_pylist()]


@dataclass
class RunLedger:
    pages: int = 0  # pages seen this run (stale rows carried over are not pages)
    reused: int = 0  # pages whose previous outcome was carried over without parsing
    unread: int = 0  # of those, local files not even read (their stat matched: extract.file_hashes)
    quarantined: int = 0  # quarantine rows so far (duplicates are added when decided)
    candidates: list[Candidate] = field(default_factory=list)  # every row for a code, new or carried
    carried_urls: list[str] = field(default_factory=list)  # previous rows carried (reused or stale)
    carried_failures: list[tuple[str, str]] = field(default_factory=list)  # previous (url, reason) reused
    failed_urls: set[str] = field(default_factory=set)
    gone_urls: set[str] = field(default_factory=set)
    stale: list[Key] = field(default_factory=list)

    def add_batch(self, batch: BatchTables) -> None:
        self.pages += batch.pages
        codes = batch.codes.select(["code_system", "code", "source_url", "content_sha256", "fetched_at"])
        columns = [column_values(codes.column(i)) for i in range(codes.num_columns)]
        self.candidates.extend(Candidate(*values, int(filled)) for *values, filled in zip(*columns, batch.filled))
        quarantine = batch.quarantine
        self.quarantined += quarantine.num_rows
        for url, reason in zip(quarantine.column("source_url").to_pylist(), quarantine.column("reason").to_pylist()):
            self.failed_urls.add(url)
            if reason in GONE_REASONS:
                self.gone_urls.add(url)

    def carry_record(self, candidate: Candidate, *, stale: bool = False) -> None:
        """A previous row kept as it was: its page is unchanged (reused) or failed (stale)."""
        self.candidates.append(candidate)
        self.carried_urls.append(candidate.source_url)
        if stale:
            self.stale.append((candidate.code_system, candidate.code))
        else:
            self.pages += 1
            self.reused += 1

    def carry_failure(self, url: str, reason: str) -> None:
        """A previous quarantine entry reused: the page's bytes, which alone decided it, are unchanged."""
        self.carried_failures.append((url, reason))
        self.failed_urls.add(url)
        self.pages += 1
        self.reused += 1
        self.quarantined += 1

    def record_urls(self) -> set[str]:
        return {c.source_url for c in self.candidates}

    def keys(self) -> set[Key]:
        return {(c.code_system, c.code) for c in self.candidates}
