"""What a run takes from the previous snapshot instead of recomputing or deleting it.

Two jobs, both keyed by page URL:
- reuse: a page whose bytes (sha256) are unchanged since the previous snapshot, under the
  same parser version, is not parsed again; its rows (or its quarantine entry, when its
  bytes alone decided it) carry over as they were;
- evidence: a code the run did not produce is `removed` only on evidence (its page answered
  404/410, its page now names another code, or it is absent from a listing that was read
  completely). Otherwise — a timeout, a 5xx after retries, a page that no longer parses, a
  partial sitemap — its previous row is kept and reported as stale, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extract.file_hashes import UnchangedFile
from extract.rawpage import RawPage
from medcodes.ledger import Key, RunLedger, column_values
from medcodes.version import PARSER_VERSION
from output.manifest import read_manifest
from schemas.reasons import Reason, Stage
from transform.dedupe import Candidate, filled_counts

_INDEX_COLUMNS = ["code_system", "code", "source_url", "content_sha256", "fetched_at"]


@dataclass
class PreviousSnapshot:
    """An index of the previous snapshot by page URL: its code rows' keys and content hashes,
    and its parse failures' hashes. The rows stay in its files until the new snapshot is written."""

    snapshot_dir: Path
    snapshot_id: str
    parser_version: str
    records: dict[str, Candidate] = field(default_factory=dict)
    page_failures: dict[str, tuple[str, str]] = field(default_factory=dict)  # url → (sha256, reason)

    @classmethod
    def load(cls, snapshot_dir: Path) -> "PreviousSnapshot":
        manifest = read_manifest(snapshot_dir)
        codes = pq.read_table(snapshot_dir / "codes.parquet", columns=_INDEX_COLUMNS)
        records = {
            values[2]: Candidate(*values, None)
            for values in zip(*(column_values(codes.column(name)) for name in _INDEX_COLUMNS))
        }
        quarantine = pq.read_table(snapshot_dir / "quarantine.parquet",
                                   columns=["source_url", "stage", "reason", "content_sha256"])
        failures = {
            url: (sha, reason)
            for url, stage, reason, sha in zip(*(quarantine.column(i).to_pylist() for i in range(4)))
            if sha is not None and _page_alone_decided(stage, reason)
        }
        return cls(snapshot_dir, manifest["snapshot_id"], manifest.get("parser_version", ""), records, failures)

    def reusable(self, reparse: bool) -> bool:
        """Rows can carry over unless the user asked to re-parse or the parser has changed."""
        return not reparse and self.parser_version == PARSER_VERSION

    def carry_over(self, page: RawPage | UnchangedFile, ledger: RunLedger) -> bool:
        """Carry the previous outcome for these exact bytes into `ledger`; False when the page
        must be parsed (new, changed, or it failed outside parsing last time). Only the page's
        URL and sha256 are read, so a file known unchanged need not have been read."""
        record = self.records.get(page.url)
        if record is not None and record.content_sha256 == page.sha256:
            ledger.carry_record(record)
            return True
        failure = self.page_failures.get(page.url)
        if failure is not None and failure[0] == page.sha256:
            ledger.carry_failure(page.url, failure[1])
            return True
        return False

    def filled_for(self, candidates: Sequence[Candidate]) -> dict[str, int]:
        """Fill counts of some previous rows, read from the snapshot (for the duplicate rule)."""
        urls = sorted({c.source_url for c in candidates})
        codes = pq.read_table(self.snapshot_dir / "codes.parquet")
        codes = codes.filter(pc.is_in(codes.column("source_url"), value_set=pa.array(urls, pa.string())))
        return dict(zip(codes.column("source_url").to_pylist(), map(int, filled_counts(codes))))


def _page_alone_decided(stage: str, reason: str) -> bool:
    """Failures that the page's bytes alone decide (parsing, its row's schema), so the same
    bytes fail the same way again; not fetch failures, nor a duplicate (decided by others)."""
    return stage == Stage.PARSE.value or (stage == Stage.VALIDATE.value and reason != Reason.DUPLICATE_CODE.value)


@dataclass
class Evidence:
    """What this run saw that bears on removals, by page URL."""

    record_urls: set[str]  # pages that became rows this run
    failed_urls: set[str]  # pages quarantined this run (fetch or parse)
    gone_urls: set[str]  # pages that answered 404/410
    listing_complete: bool  # every source listed all its pages (folders, WARCs, full sitemaps)


def resolve_missing(
    previous: PreviousSnapshot, current_keys: set[Key], evidence: Evidence
) -> tuple[list[Candidate], set[Key]]:
    """(previous rows kept as stale, keys removed on evidence) for codes this run lacks.

    Removed: the page answered 404/410, or now names another code, or was not listed by
    sources that list completely. Stale: the page failed this run for any other reason
    (timeout, 5xx, unparseable), or the listing was partial.
    """
    stale: list[Candidate] = []
    removed: set[Key] = set()
    for url, record in sorted(previous.records.items()):
        key = (record.code_system, record.code)
        if key in current_keys:
            continue
        if url in evidence.gone_urls or url in evidence.record_urls:
            removed.add(key)
        elif url in evidence.failed_urls or not evidence.listing_complete:
            stale.append(record)
        else:
            removed.add(key)
    return stale, removed


def listing_complete(crawl_stats: object | None) -> bool:
    """Folders and WARCs list every page; a crawl does when every sitemap was read whole
    (a single page URL is its own complete listing) and no page budget cut discovery."""
    if crawl_stats is None:
        return True
    if crawl_stats.truncated:
        return False
    return all(done is not False for done in crawl_stats.sitemap_complete.values())


def keep_or_remove(
    previous: PreviousSnapshot | None, ledger: RunLedger, crawl_stats: object | None
) -> set[Key] | None:
    """Carry the previous snapshot's stale rows into `ledger`; return the keys removed on
    evidence (None with no previous snapshot: nothing to remove)."""
    if previous is None:
        return None
    evidence = Evidence(ledger.record_urls(), ledger.failed_urls, ledger.gone_urls,
                        listing_complete(crawl_stats))
    stale, removed = resolve_missing(previous, ledger.keys(), evidence)
    for record in stale:
        ledger.carry_record(record, stale=True)
    return removed
