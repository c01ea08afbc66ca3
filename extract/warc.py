"""WARC in and out (warcio): captured pages as RawPages, and the raw store as a standard WARC.

Reads no settings. Reading: `response` records with HTTP 200 and a page content type become
RawPages (bytes with transfer- and content-encoding removed, as a live fetch would give
them); other statuses become `http_<status>` and other types `not_html` quarantine entries.
`revisit` records (deduplicated captures) resolve to the earlier record with the same payload
digest. request/metadata/warcinfo/resource records, and crawler housekeeping (`/robots.txt`),
are not pages and are skipped.

Writing: one `warcinfo` record, then one `response` record per stored page with its status
line, stored headers and bytes, dated when the bytes were fetched — readable by warcio,
pywb, wget-era tools and `iter_warc_pages` alike.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from extract.fetcher import PAGE_TYPES, TRANSFER_HEADERS, split_content_type
from extract.rawpage import RawPage
from extract.raw_store import CACHE_HEADER, RawStore
from medcodes.version import __version__
from schemas.reasons import QuarantineEntry, Reason, Stage, http_reason

SKIPPED_PATHS: frozenset[str] = frozenset({"/robots.txt"})


def _warc_date(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _entry(url: str, reason: str, detail: str, seen_at: datetime, sha: str | None = None) -> QuarantineEntry:
    return QuarantineEntry(url, Stage.FETCH.value, reason, detail, sha, seen_at)


def _read_payload(path: Path, offset: int) -> bytes:
    """The decoded payload of the record at `offset` (each record of a .warc.gz is its own gzip member)."""
    with open(path, "rb") as stream:
        stream.seek(offset)
        record = next(iter(ArchiveIterator(stream)))
        return record.content_stream().read()


def iter_warc_pages(path: Path | str) -> Iterator[RawPage | QuarantineEntry]:
    """Every captured page of a WARC (`.warc` or `.warc.gz`) in file order."""
    path = Path(path)
    by_digest: dict[str, int] = {}  # payload digest → offset of the response that carried it
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type not in ("response", "revisit") or record.http_headers is None:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            if urlsplit(url).path in SKIPPED_PATHS:
                continue
            when = _warc_date(record.rec_headers.get_header("WARC-Date"))
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            http = record.http_headers
            status = int(http.get_statuscode() or 0)
            media, charset = split_content_type(http.get_header("Content-Type"))
            if record.rec_type == "revisit":
                original = by_digest.get(digest or "")
                if original is None:
                    yield _entry(url, Reason.READ_ERROR.value, "revisit record whose original capture is not in this WARC", when)
                    continue
                body = _read_payload(path, original)
                status = 200 if status in (200, 304) else status
            else:
                body = record.content_stream().read()
                if digest:  # ask for the offset only after reading: asking first drains the record
                    by_digest.setdefault(digest, records.get_record_offset())
            if status != 200:
                yield _entry(url, http_reason(status), f"captured with HTTP {status}", when)
            elif media is not None and media not in PAGE_TYPES:
                yield _entry(url, Reason.NOT_HTML.value, f"content type {media}", when)
            else:
                headers = {k.lower(): v for k, v in http.headers if k.lower() not in TRANSFER_HEADERS}
                yield RawPage(source_url=url, body=body, fetched_at=when, content_type=media,
                              charset=charset, status=200, headers=headers)


def export_warc(store: RawStore, path: Path | str) -> int:
    """Write every good page of the store as a WARC (gzipped if `path` ends in `.gz`); returns pages written.

    Written to a temp file beside `path` and renamed, so a reader never sees half a WARC.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    written = 0
    try:
        with os.fdopen(fd, "wb") as out:
            writer = WARCWriter(out, gzip=path.name.endswith(".gz"))
            info = {"software": f"medcodes/{__version__}", "format": "WARC File Format 1.1",
                    "description": "medcodes raw page store export"}
            writer.write_record(writer.create_warcinfo_record(path.name, info))
            for page in store.iter_pages():
                writer.write_record(_response_record(writer, page))
                written += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return written


def _response_record(writer: WARCWriter, page: RawPage):
    skip = TRANSFER_HEADERS | {CACHE_HEADER, "content-type"}
    headers = [(k, v) for k, v in page.headers.items() if k.lower() not in skip]
    if page.content_type:
        ctype = page.content_type + (f"; charset={page.charset}" if page.charset else "")
        headers.insert(0, ("Content-Type", ctype))
    headers.append(("Content-Length", str(len(page.body))))
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    date = page.fetched_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return writer.create_warc_record(
        page.url, "response", payload=BytesIO(page.body), length=len(page.body),
        http_headers=http, warc_headers_dict={"WARC-Date": date},
    )
