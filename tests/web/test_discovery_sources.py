"""URL canonicalization, sitemap parsing, source kinds and link-following against the test site."""

from __future__ import annotations

import gzip

from conftest import CPT_PAGES

from extract.discovery import extract_links, source_kind
from extract.rawpage import RawPage
from extract.raw_store import RawStore
from extract.sitemap import parse_sitemap
from extract.throttle import retry_after_seconds
from extract.urls import canonicalize, dedupe, same_site
from extract.web import crawl
from schemas.reasons import QuarantineEntry


def test_canonicalize_collapses_spellings_of_one_page():
    spellings = ["HTTP://Example.COM:80/a?x=1#top", "http://example.com/a?x=1", "http://example.com:80/a?x=1#"]
    assert list(dedupe(spellings)) == ["http://example.com/a?x=1"]
    assert canonicalize("https://Example.com:443") == "https://example.com/"
    assert canonicalize("../b.html#f", "http://h:8080/x/y/z.html") == "http://h:8080/x/b.html"
    assert canonicalize("http://h/Path/Case") == "http://h/Path/Case"


def test_same_site():
    assert same_site("http://example.com/a", "https://www.example.com/b")
    assert not same_site("http://example.com/a", "http://other.com/a")
    assert not same_site("http://127.0.0.1:8001/", "http://127.0.0.1:8002/")


def test_source_kinds():
    assert source_kind("http://h/") == "site"
    assert source_kind("http://h/sitemap_index.xml.gz") == "sitemap"
    assert source_kind("http://h/pages/cpt_62310.html") == "page"


def test_sitemap_gzip_recognised_by_magic_bytes_and_damage_reported():
    xml = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>/a.html</loc></url></urlset>'
    doc = parse_sitemap(gzip.compress(xml), "http://h/sitemap.xml")
    assert (doc.kind, doc.locs, doc.error) == ("urlset", ["http://h/a.html"], None)
    broken = parse_sitemap(xml[:-12], "http://h/sitemap.xml")
    assert broken.error and broken.locs == ["http://h/a.html"]
    assert parse_sitemap(b"<html></html>", "http://h/").error


def test_retry_after_parsing():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("soon") is None
    from datetime import datetime, timezone

    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert retry_after_seconds("Mon, 01 Jan 2024 00:00:05 GMT", now) == 5.0


def test_extract_links_skips_fragments_and_other_schemes():
    body = b'<a href="a.html#x">a</a><a href="#top">t</a><a href="mailto:q@r">m</a><a href="/b">b</a>'
    assert extract_links(body, "http://h/dir/page.html") == ["http://h/dir/a.html", "http://h/b"]


def test_damaged_sitemap_source_is_incomplete(site, make_settings):
    settings = make_settings()
    run = crawl([site.url("/sitemaps/broken.xml"), site.url("/sitemaps/missing.xml")], settings,
                RawStore.for_settings(settings))
    items = list(run)
    pages = {i.source_url for i in items if isinstance(i, RawPage)}
    assert pages == {site.url(p) for p in CPT_PAGES[:2]}  # what lxml recovered is still fetched
    failures = {i.source_url: i.reason for i in items if isinstance(i, QuarantineEntry)}
    assert failures == {site.url("/sitemaps/broken.xml"): "parse_error", site.url("/sitemaps/missing.xml"): "http_404"}
    assert run.stats.sitemap_complete == {site.url("/sitemaps/broken.xml"): False, site.url("/sitemaps/missing.xml"): False}


def test_link_following_within_site_with_depth_limit(site, make_settings):
    settings = make_settings(follow_links=True, max_depth=2)
    mark = site.log.mark()
    items = list(crawl([site.url("/linked/index.html")], settings, RawStore.for_settings(settings)))
    got = sorted(i.source_url.removeprefix(site.base) for i in items)
    # depth 0: index; 1: a, b (b links back to index: collapsed); 2: c; deep.html is depth 3
    assert got == ["/linked/a.html", "/linked/b.html", "/linked/c.html", "/linked/index.html"]
    requested = [h.path for h in site.log.since(mark) if h.path.startswith("/linked/")]
    assert len(requested) == len(set(requested)) == 4


def test_include_exclude_and_page_budget(site, make_settings):
    settings = make_settings(include=[r"/pages/"], exclude=[r"62311"], max_pages=3)
    run = crawl([site.url("/sitemaps/pages.xml")], settings, RawStore.for_settings(settings))
    urls = sorted(i.source_url for i in run)
    assert urls == [site.url(p) for p in (CPT_PAGES[0], CPT_PAGES[2], CPT_PAGES[3])]
    assert run.stats.truncated and run.stats.sitemap_complete == {site.url("/sitemaps/pages.xml"): False}
