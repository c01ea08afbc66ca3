"""WARC in (a capture written by wget) and out (export_warc → iter_warc_pages round trip)."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO

import pytest
from conftest import CPT_PAGES, TEXT_PAGES
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from extract.rawpage import RawPage
from extract.raw_store import RawStore
from extract.warc import export_warc, iter_warc_pages
from extract.web import crawl
from schemas.reasons import QuarantineEntry


def crawled_pages(site, settings) -> tuple[RawStore, dict[str, RawPage]]:
    store = RawStore.for_settings(settings)
    sources = [site.url("/sitemaps/pages.xml"), site.url("/sitemaps/text.xml"), site.url("/fault/pdf")]
    pages = {p.source_url: p for p in crawl(sources, settings, store) if isinstance(p, RawPage)}
    return store, pages


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed (apt-get install -y wget)")
def test_wget_capture_yields_the_same_bytes_as_the_crawl(site, make_settings, tmp_path):
    _, crawled = crawled_pages(site, make_settings())
    urls = [site.url(p) for p in CPT_PAGES + TEXT_PAGES + ["/fault/pdf", "/fault/gone-404"]]
    (tmp_path / "urls.txt").write_text("\n".join(urls) + "\n")
    subprocess.run(["wget", "-q", "--warc-file", str(tmp_path / "capture"), "-i", str(tmp_path / "urls.txt"),
                    "-P", str(tmp_path / "files"), "--tries=1"], cwd=tmp_path, timeout=60, check=False)
    items = list(iter_warc_pages(tmp_path / "capture.warc.gz"))
    pages = {i.source_url: i for i in items if isinstance(i, RawPage)}
    assert set(pages) == set(crawled)
    for url, page in pages.items():
        assert page.body == crawled[url].body
        assert page.content_type == crawled[url].content_type and page.charset == crawled[url].charset
    failures = {i.source_url: i.reason for i in items if isinstance(i, QuarantineEntry)}
    assert failures == {site.url("/fault/pdf"): "not_html", site.url("/fault/gone-404"): "http_404"}


def test_export_then_read_round_trip(site, make_settings, tmp_path):
    store, crawled = crawled_pages(site, make_settings())
    out = tmp_path / "export.warc.gz"
    assert export_warc(store, out) == len(crawled)
    read = {p.source_url: p for p in iter_warc_pages(out)}
    assert set(read) == set(crawled)
    for url, page in read.items():
        original = crawled[url]
        assert isinstance(page, RawPage)
        assert (page.body, page.content_type, page.charset) == (original.body, original.content_type, original.charset)
        assert page.fetched_at == original.fetched_at
        assert page.headers.get("etag") == original.headers.get("etag")


def test_revisit_records_resolve_to_the_original_payload(tmp_path):
    path = tmp_path / "dedup.warc"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=False)
        http = lambda: StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")  # noqa: E731
        first = writer.create_warc_record("http://h/a.html", "response", payload=BytesIO(b"<p>same</p>"), http_headers=http())
        writer.write_record(first)
        revisit = writer.create_revisit_record(
            "http://h/b.html", first.rec_headers.get_header("WARC-Payload-Digest"), "http://h/a.html",
            first.rec_headers.get_header("WARC-Date"), http_headers=http())
        writer.write_record(revisit)
        orphan = writer.create_revisit_record("http://h/c.html", "sha1:AAAA", "http://h/x.html", "2024-01-01T00:00:00Z",
                                              http_headers=http())
        writer.write_record(orphan)
    items = list(iter_warc_pages(path))
    assert [i.source_url for i in items] == ["http://h/a.html", "http://h/b.html", "http://h/c.html"]
    assert items[1].body == b"<p>same</p>"
    assert isinstance(items[2], QuarantineEntry) and items[2].reason == "read_error"
