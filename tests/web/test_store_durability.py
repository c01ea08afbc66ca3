"""Batched state writes: once a crawl ends, every page's state is committed for a new reader."""

from __future__ import annotations

from extract.raw_store import RawStore
from test_warc_io import crawled_pages


def test_state_of_every_page_is_visible_to_a_fresh_store_after_the_crawl(site, make_settings):
    settings = make_settings()
    store, crawled = crawled_pages(site, settings)  # iterated to the end: the run finished
    reader = RawStore.for_settings(settings)  # a second connection sees only committed rows
    try:
        for url, page in crawled.items():
            state = reader.state(url)
            assert state is not None and state.sha256 == page.sha256, url
    finally:
        reader.close()
        store.close()
