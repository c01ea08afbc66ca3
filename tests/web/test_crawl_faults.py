"""One crawl of the whole test site (site root → robots → gzipped index → sitemaps), checked from the server log."""

from __future__ import annotations

from email.utils import formatdate, parsedate_to_datetime

import pytest
from conftest import CPT_PAGES, FAULTS, TEXT_PAGES, fast_settings

from extract.rawpage import RawPage
from extract.raw_store import RawStore
from extract.web import crawl
from schemas.reasons import QuarantineEntry

LIMIT = 3


@pytest.fixture(scope="module")
def full_crawl(site, tmp_path_factory):
    settings = fast_settings(tmp_path_factory.mktemp("full"), concurrency_per_host=LIMIT)
    mark = site.log.mark()
    run = crawl([site.base + "/"], settings, RawStore.for_settings(settings))
    items = list(run)
    return items, run.stats, site.log.since(mark), site.log.max_connections


def by_url(items):
    return {item.source_url: item for item in items}


def test_every_url_ends_as_exactly_one_outcome(site, full_crawl):
    items, stats, _, _ = full_crawl
    urls = [item.source_url for item in items]
    assert len(urls) == len(set(urls)), "a URL came out twice"
    expected = {site.url(p) for p in CPT_PAGES + TEXT_PAGES} | {site.url(p) for p in FAULTS}
    assert set(urls) == expected
    assert stats.discovered == len(expected)


def test_fault_endpoints_end_with_their_reason(site, full_crawl):
    items, _, _, _ = full_crawl
    outcomes = by_url(items)
    for path, reason in FAULTS.items():
        item = outcomes[site.url(path)]
        if reason is None:
            assert isinstance(item, RawPage), (path, item)
        else:
            assert isinstance(item, QuarantineEntry) and item.reason == reason, (path, item)
            assert item.stage == "fetch"


def test_pages_keep_exact_bytes_and_metadata(site, full_crawl):
    items, _, _, _ = full_crawl
    outcomes = by_url(items)
    for path in CPT_PAGES + TEXT_PAGES:
        page = outcomes[site.url(path)]
        assert page.body == site.pages[path][0]
    html = outcomes[site.url(CPT_PAGES[0])]
    assert (html.content_type, html.charset) == ("text/html", "utf-8")
    assert outcomes[site.url(TEXT_PAGES[0])].content_type == "text/plain"
    redirected = outcomes[site.url("/fault/redirect-1")]
    assert redirected.final_url == site.url("/pages/final.html")
    assert redirected.body == site.pages["/pages/final.html"][0]


def test_robots_disallowed_path_never_requested(full_crawl):
    _, stats, hits, _ = full_crawl
    assert not [h for h in hits if h.path.startswith("/private/")]
    assert stats.robots_blocked == 1
    # the site sets Crawl-delay: 30 for another agent only; our robots fetch saw it and ignored it
    assert any(h.path == "/robots.txt" for h in hits)


def test_offsite_and_loop_redirects_not_followed_beyond_the_site(full_crawl):
    _, _, hits, _ = full_crawl
    assert [h.path for h in hits].count("/fault/offsite") == 1
    assert sum(h.path in ("/fault/loop-a", "/fault/loop-b") for h in hits) == 2


def test_no_retry_sooner_than_retry_after(full_crawl):
    _, _, hits, _ = full_crawl
    seconds = [h for h in hits if h.path == "/fault/429-seconds"]
    assert len(seconds) == 2 and seconds[0].status == 429 and seconds[1].status == 200
    assert seconds[1].at - seconds[0].at >= 1.0
    dated = [h for h in hits if h.path == "/fault/429-date"]
    assert len(dated) == 2
    # the server's Retry-After date is whole seconds; the retry may not come before it
    # (recomputed here exactly as the server formatted it at the first request)
    allowed_at = parsedate_to_datetime(formatdate(dated[0].at + 2, usegmt=True)).timestamp()
    assert dated[1].at >= allowed_at


def test_retry_after_beyond_cap_gives_up_without_waiting(site, full_crawl):
    items, _, hits, _ = full_crawl
    assert [h.path for h in hits].count("/fault/429-too-long") == 1
    assert "retry_after_cap" in by_url(items)[site.url("/fault/429-too-long")].detail


def test_transient_errors_retried_final_errors_not(full_crawl):
    _, stats, hits, _ = full_crawl
    count = lambda p: [h.path for h in hits].count(p)  # noqa: E731
    assert count("/fault/503-once") == 2
    assert count("/fault/always-503") == 3  # 1 + max_retries
    assert count("/fault/slow") == 3
    assert count("/fault/drop") == 3
    for final in ("/fault/gone-404", "/fault/gone-410", "/fault/forbidden", "/fault/pdf"):
        assert count(final) == 1, final
    assert stats.retried >= 2 + 2 + 2 + 1 + 1 + 1


def test_oversized_body_aborted_while_streaming(site, full_crawl):
    assert site.log.huge_completed is False  # the client hung up long before 20 MB were sent


def test_never_more_connections_than_the_limit(full_crawl):
    _, _, _, high_water = full_crawl
    assert 1 <= high_water <= LIMIT


def test_gone_urls_and_sitemap_completeness_reported(site, full_crawl):
    _, stats, _, _ = full_crawl
    assert stats.gone == {site.url("/fault/gone-404"): 404, site.url("/fault/gone-410"): 410}
    assert stats.sitemap_complete == {site.base + "/": True}
    report = stats.sources[site.base + "/"]
    assert report.listing.sitemaps[0] == site.url("/sitemap_index.xml.gz")
    assert site.url("/sitemaps/text.xml") in report.listing.sitemaps
