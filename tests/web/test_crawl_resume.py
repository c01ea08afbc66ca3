"""Revalidation (conditional GET → 304 → stored bytes) and resuming an interrupted crawl, from the server log."""

from __future__ import annotations

import itertools

from conftest import CPT_PAGES, TEXT_PAGES

from extract.rawpage import RawPage
from extract.raw_store import RawStore, from_cache
from extract.web import crawl


def page_paths(site, hits):
    return {h.path for h in hits if h.path.startswith("/pages/")}


def test_second_crawl_of_unchanged_site_is_answered_by_304s(site, make_settings):
    settings = make_settings()
    store = RawStore.for_settings(settings)
    source = [site.url("/sitemaps/pages.xml")]
    first = {p.source_url: p for p in crawl(source, settings, store) if isinstance(p, RawPage)}
    assert len(first) == len(CPT_PAGES)

    mark = site.log.mark()
    run = crawl(source, settings, store)
    second = {p.source_url: p for p in run if isinstance(p, RawPage)}
    hits = [h for h in site.log.since(mark) if h.path in CPT_PAGES]

    assert len(hits) == len(CPT_PAGES)
    assert all(h.headers.get("if-none-match") and h.headers.get("if-modified-since") for h in hits)
    assert all(h.status == 304 for h in hits)
    assert run.stats.from_cache_304 == len(CPT_PAGES) and run.stats.fetched == 0
    for url, page in second.items():
        assert from_cache(page) == "revalidated"
        assert page.body == first[url].body and page.fetched_at == first[url].fetched_at
        assert page.content_type == "text/html" and page.charset == "utf-8"


def test_interrupted_crawl_resumes_without_refetching(site, make_settings):
    sources = [site.url("/sitemaps/pages.xml"), site.url("/sitemaps/text.xml")]
    store = RawStore.for_settings(make_settings())
    mark = site.log.mark()
    slow = make_settings(requests_per_second=20.0, concurrency_per_host=1)
    run = crawl(sources, slow, store)
    taken = list(itertools.islice(run, 3))
    run.close()  # interrupted: the run stays unfinished
    first_hits = site.log.since(mark)

    mark = site.log.mark()
    resumed = crawl(sources, make_settings(), store)
    items = list(resumed)
    second_hits = site.log.since(mark)

    expected = {site.url(p) for p in CPT_PAGES + TEXT_PAGES + ["/private/secret.html"]}
    assert {i.source_url for i in items} == expected and len(items) == len(expected)
    replayed = {i.source_url for i in items if isinstance(i, RawPage) and from_cache(i) == "resumed"}
    assert {t.source_url for t in taken} <= replayed
    refetched = {site.url(p) for p in page_paths(site, second_hits)}
    assert not refetched & replayed
    assert not refetched & {t.source_url for t in taken}
    assert page_paths(site, first_hits) | page_paths(site, second_hits) == {p for p in CPT_PAGES + TEXT_PAGES}
    assert resumed.stats.resumed == len(replayed)
    for item in items:
        if isinstance(item, RawPage):
            assert item.body == site.pages[item.source_url.removeprefix(site.base)][0]

    # the resumed run finished, so the next crawl starts afresh and revalidates instead of replaying
    third = crawl(sources, make_settings(), store)
    assert not any(from_cache(p) == "resumed" for p in third if isinstance(p, RawPage))
    assert third.stats.from_cache_304 == len(CPT_PAGES + TEXT_PAGES)
