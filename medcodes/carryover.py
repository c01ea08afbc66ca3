"""What a run takes from the previous snapshot instead of recomputing or deleting it.

Two jobs, both keyed by page URL:
- reuse: a page whose bytes (sha256) are unchanged since the previous snapshot, under the
  same parser version, is not parsed again; its rows (or its parse-stage quarantine entry)
  carry over as they were;
- evidence: a code the run did not produce is `removed` only on evidence (its page answered
  404/410, its page now names another code, or it is absent from a listing that was read
  completely). Otherwise — a timeout, a 5xx after retries, a page that no longer parses, a
  partial sitemap — its previous row is kept and reported as stale, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from extract.rawpage import RawPage
from medcodes.version import PARSER_VERSION
from output.manifest import read_manifest
from output.publish import read_snapshot_table
from schemas.reasons import QuarantineEntry, Reason, Stage
from transform.record import PageRecord

if TYPE_CHECKING:
    from medcodes.pipeline import BatchResult

Key = tuple[str, str]
GONE_REASONS = frozenset({Reason.HTTP_404.value, Reason.HTTP_410.value})


@dataclass
class PreviousSnapshot:
    """The previous snapshot's rows, indexed by the page URL they came from."""

    snapshot_id: str
    parser_version: str
    records: dict[str, PageRecord] = field(default_factory=dict)
    parse_failures: dict[str, QuarantineEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, snapshot_dir: Path) -> "PreviousSnapshot":
        manifest = read_manifest(snapshot_dir)
        codes = read_snapshot_table(snapshot_dir, "codes").to_dict("records")
        by_key: dict[Key, PageRecord] = {}
        records: dict[str, PageRecord] = {}
        for row in codes:
            row = {k: _plain(v) for k, v in row.items()}
            record = PageRecord(code_row=row, section_rows=[], related_rows=[])
            by_key[(row["code_system"], row["code"])] = record
            records[row["source_url"]] = record
        for table, attr in (("sections", "section_rows"), ("related_codes", "related_rows")):
            for row in read_snapshot_table(snapshot_dir, table).to_dict("records"):
                record = by_key.get((row["code_system"], row["code"]))
                if record is not None:
                    getattr(record, attr).append({k: _plain(v) for k, v in row.items()})
        failures = {
            row["source_url"]: QuarantineEntry(**{k: _plain(v) for k, v in row.items()})
            for row in read_snapshot_table(snapshot_dir, "quarantine").to_dict("records")
            if row["stage"] == Stage.PARSE.value and row["content_sha256"] is not None
        }
        return cls(manifest["snapshot_id"], manifest.get("parser_version", ""), records, failures)

    def reusable(self, reparse: bool) -> bool:
        """Rows can carry over unless the user asked to re-parse or the parser has changed."""
        return not reparse and self.parser_version == PARSER_VERSION

    def reuse(self, page: RawPage) -> PageRecord | QuarantineEntry | None:
        """The previous outcome for these exact bytes, or None when the page must be parsed."""
        record = self.records.get(page.url)
        if record is not None and record.code_row["content_sha256"] == page.sha256:
            return record
        failure = self.parse_failures.get(page.url)
        if failure is not None and failure.content_sha256 == page.sha256:
            return failure
        return None


def _plain(value: object) -> object:
    """Parquet values as the pipeline builds them: lists not arrays, None not NaN/NA."""
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()
    try:
        if value != value:  # NaN / NaT
            return None
    except (TypeError, ValueError):
        pass
    if type(value).__name__ == "NAType":
        return None
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value


@dataclass
class Evidence:
    """What this run saw that bears on removals, by page URL."""

    record_urls: set[str]  # pages that became rows this run
    failed_urls: set[str]  # pages quarantined this run (fetch or parse)
    gone_urls: set[str]  # pages that answered 404/410
    listing_complete: bool  # every source listed all its pages (folders, WARCs, full sitemaps)


def evidence_from(records: list[PageRecord], quarantine: list[QuarantineEntry], listing_complete: bool) -> Evidence:
    return Evidence(
        record_urls={r.code_row["source_url"] for r in records},
        failed_urls={q.source_url for q in quarantine},
        gone_urls={q.source_url for q in quarantine if q.reason in GONE_REASONS},
        listing_complete=listing_complete,
    )


def resolve_missing(
    previous: PreviousSnapshot, current_keys: set[Key], evidence: Evidence
) -> tuple[list[PageRecord], set[Key]]:
    """(previous records kept as stale, keys removed on evidence) for codes this run lacks.

    Removed: the page answered 404/410, or now names another code, or was not listed by
    sources that list completely. Stale: the page failed this run for any other reason
    (timeout, 5xx, unparseable), or the listing was partial.
    """
    stale: list[PageRecord] = []
    removed: set[Key] = set()
    for url, record in sorted(previous.records.items()):
        key = (record.code_row["code_system"], record.code_row["code"])
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
    previous: PreviousSnapshot | None, result: "BatchResult", crawl_stats: object | None
) -> tuple[list[Key], set[Key] | None]:
    """Add the previous snapshot's stale records to `result`; return (stale keys, removed keys).

    With no previous snapshot nothing is stale and `removed` is None (nothing to remove).
    """
    if previous is None:
        return [], None
    current = {(r.code_row["code_system"], r.code_row["code"]) for r in result.records}
    evidence = evidence_from(result.records, result.quarantine, listing_complete(crawl_stats))
    stale, removed = resolve_missing(previous, current, evidence)
    result.records.extend(stale)
    return sorted((r.code_row["code_system"], r.code_row["code"]) for r in stale), removed
