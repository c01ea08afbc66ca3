"""Requests in fetch processes: the per-host limit holds across them, and no page is lost or doubled."""

from __future__ import annotations

import pytest
from conftest import CPT_PAGES, TEXT_PAGES

from extract.fetch_pool import slot_share, worker_count
from extract.rawpage import RawPage
from extract.raw_store import RawStore
from extract.web import crawl


@pytest.mark.parametrize("slots,workers", [(1, 1), (2, 2), (3, 2), (8, 2), (5, 3)])
def test_slots_are_dealt_so_pools_add_up_to_the_limit(slots, workers):
    pools: dict[int, int] = {}
    for slot in range(slots):
        worker, pool = slot_share(slot, slots, workers)
        assert pools.setdefault(worker, pool) == pool  # one pool size per worker
    assert sum(pools.values()) == slots
    assert sorted(pools) == list(range(min(slots, workers)))


def test_never_more_workers_than_slots(make_settings):
    assert worker_count(make_settings(concurrency_per_host=1), 2) == 1
    assert worker_count(make_settings(concurrency_per_host=4), 2) == 2


@pytest.mark.parametrize("processes,limit", [(2, 2), (3, 2), (1, 3)])
def test_crawl_over_processes_keeps_the_limit_and_every_page(site, make_settings, processes, limit):
    settings = make_settings(concurrency_per_host=limit)
    store = RawStore.for_settings(settings)
    sources = [site.url("/sitemaps/pages.xml"), site.url("/sitemaps/text.xml")]
    mark = site.log.mark()
    items = list(crawl(sources, settings, store, processes=processes))
    hits = site.log.since(mark)

    assert 1 <= site.log.max_connections <= limit
    pages = [p for p in items if isinstance(p, RawPage)]
    assert sorted(p.source_url for p in pages) == sorted(site.url(p) for p in CPT_PAGES + TEXT_PAGES)
    assert sorted(h.path for h in hits if h.path.startswith("/pages/")) == sorted(CPT_PAGES + TEXT_PAGES)
    for page in pages:  # the worker wrote each blob; the crawl process recorded its row
        assert page.body == site.pages[page.source_url.removeprefix(site.base)][0]
        assert store.get_blob(store.state(page.source_url).sha256) == page.body
