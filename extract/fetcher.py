"""Polite, resilient page fetching with httpx: one URL in, a RawPage or a QuarantineEntry out.

Reads settings: `max_retries`, `max_page_bytes`; throttling settings via `extract.throttle`,
robots settings via `extract.robots`, client settings via `extract.fetch_worker`.

The requests themselves run in fetch processes (`extract.fetch_pool`), which also write
page bodies as blobs; every decision below is taken here, in the crawl's process.

Transient failures (connect errors, timeouts, dropped connections, 429, most 5xx) are
retried with backoff, or after Retry-After when the server names a wait — never sooner,
and not at all when it asks for longer than `retry_after_cap`. 404 and 410 are final at
once. Redirects are followed by hand so an off-site hop is refused, not fetched. Bodies are
streamed and abandoned as soon as they pass `max_page_bytes`. A stored ETag/Last-Modified
makes the request conditional; a 304 returns the stored bytes, marked "revalidated".
"""

from __future__ import annotations

import asyncio
from typing import Callable

from extract.fetch_pool import FetchPool
from extract.fetch_worker import PAGE_TYPES, Attempt, split_content_type
from extract.rawpage import RawPage, utc_now
from extract.raw_store import RawStore
from extract.robots import Resource, RobotsCache
from extract.sitemap import MAX_SITEMAP_BYTES
from extract.throttle import RETRY_AFTER_MARGIN, HostThrottle, backoff_delay, retry_after_seconds
from extract.urls import canonicalize, host_key, same_site
from medcodes.settings import Settings
from schemas.reasons import QuarantineEntry, Reason, Stage, http_reason

__all__ = ["PAGE_TYPES", "TRANSFER_HEADERS", "Attempt", "Fetcher", "split_content_type"]

REDIRECTS: frozenset[int] = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
# Headers describing the transfer, not the page: the stored body is already decoded.
TRANSFER_HEADERS: frozenset[str] = frozenset({"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"})


def is_transient(status: int) -> bool:
    """Statuses worth another try: rate limiting and server trouble (not 501/505, which persist)."""
    return status == 429 or (status >= 500 and status not in (501, 505))


class Fetcher:
    """Fetches for one crawl; one throttle per host, requests in `FetchPool` processes, closed by `aclose`."""

    def __init__(self, settings: Settings, store: RawStore | None, run_id: str,
                 on_retry: Callable[[], None] = lambda: None, processes: int | None = None) -> None:
        self.settings = settings
        self.store = store
        self.run_id = run_id
        self.on_retry = on_retry
        self.robots = RobotsCache(self.fetch_resource, settings)
        self._throttles: dict[str, HostThrottle] = {}
        self._pool = FetchPool(settings, store.blobs.root if store is not None else None,
                               processes or settings.fetch_processes)

    async def aclose(self) -> None:
        await self._pool.aclose()

    def _host(self, url: str) -> tuple[str, HostThrottle]:
        key = host_key(url)
        throttle = self._throttles.get(key)
        if throttle is None:
            throttle = self._throttles[key] = HostThrottle(self.settings)
        return key, throttle

    # --- one request, with retries -----------------------------------------------------
    async def _once(self, url: str, headers: dict[str, str], max_bytes: int, pages_only: bool) -> Attempt:
        host, throttle = self._host(url)
        async with throttle.turn() as slot:
            store = pages_only and self.store is not None  # a page's body becomes a blob in the worker
            return await self._pool.request(slot, throttle.slots, host, url, headers, max_bytes, pages_only, store)

    async def _request(self, url: str, headers: dict[str, str], max_bytes: int, pages_only: bool) -> Attempt:
        """`_once`, retried on transient trouble; the last attempt is returned either way."""
        s = self.settings
        for retry in range(s.max_retries + 1):
            attempt = await self._once(url, headers, max_bytes, pages_only)
            attempt.tries = retry + 1
            transient = attempt.status is None and attempt.reason in (
                Reason.TIMEOUT.value, Reason.CONNECT_ERROR.value, Reason.CONNECTION_DROPPED.value, Reason.READ_ERROR.value
            )
            transient = transient or (attempt.status is not None and is_transient(attempt.status))
            if not transient or retry == s.max_retries:
                return attempt
            wait = retry_after_seconds(attempt.headers.get("retry-after"))
            if wait is not None:
                if wait > s.retry_after_cap:
                    attempt.detail = f"Retry-After {wait:.0f}s exceeds retry_after_cap {s.retry_after_cap:.0f}s"
                    return attempt
                wait += RETRY_AFTER_MARGIN
                self._host(url)[1].defer(wait)
            else:
                wait = backoff_delay(s, retry)
            self.on_retry()
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the loop returns on its last pass")

    async def _follow(self, url: str, headers_for: Callable[[str], dict[str, str]], max_bytes: int,
                      pages_only: bool) -> tuple[str, Attempt]:
        """Request `url`, following same-site redirects by hand; returns the final URL and answer."""
        current, chain = url, {url}
        while True:
            attempt = await self._request(current, headers_for(current), max_bytes, pages_only)
            location = attempt.headers.get("location")
            if attempt.status not in REDIRECTS or not location:
                return current, attempt
            target = canonicalize(location, current)
            if not same_site(url, target):
                return current, Attempt(attempt.status, reason=Reason.OFFSITE_REDIRECT.value,
                                        detail=f"redirect to {target}", tries=attempt.tries)
            if target in chain or len(chain) > MAX_REDIRECTS:
                return current, Attempt(attempt.status, reason=Reason.TOO_MANY_REDIRECTS.value,
                                        detail=f"redirect loop or more than {MAX_REDIRECTS} hops at {target}",
                                        tries=attempt.tries)
            if not (await self.robots.rules_for(target)).allowed(target):
                return current, Attempt(attempt.status, reason=Reason.ROBOTS_DISALLOWED.value,
                                        detail=f"redirect to {target}, disallowed by robots.txt", tries=attempt.tries)
            chain.add(target)
            current = target

    # --- public -------------------------------------------------------------------------
    async def fetch_resource(self, url: str, max_bytes: int = MAX_SITEMAP_BYTES) -> Resource:
        """A robots.txt or sitemap: any content type, no store, same retries and politeness."""
        _, attempt = await self._follow(canonicalize(url), lambda _: {}, max_bytes, pages_only=False)
        return Resource(url, attempt.status, attempt.body, attempt.reason)

    async def fetch_listing(self, url: str) -> Resource:
        """A sitemap: robots.txt is consulted first, like for any page."""
        if not (await self.robots.rules_for(url)).allowed(url):
            return Resource(url, None, error=Reason.ROBOTS_DISALLOWED.value)
        return await self.fetch_resource(url)

    async def fetch_page(self, url: str) -> RawPage | QuarantineEntry:
        """Fetch one page URL to its final outcome, recording it in the store."""
        url = canonicalize(url)
        state = self.store.state(url) if self.store else None
        if state is not None and state.run_id == self.run_id:  # finished earlier in this run
            page = self.store.page_from_state(state, "resumed") if state.last_reason is None else None
            if page is not None:
                return page
            if state.last_reason is not None:
                return self.store.entry_from_state(state)
        rules = await self.robots.rules_for(url)
        self._host(url)[1].apply_crawl_delay(rules.crawl_delay)
        if not rules.allowed(url):
            return self._fail(url, Reason.ROBOTS_DISALLOWED.value, rules.unavailable or "disallowed by robots.txt", None, 0)
        cached = state is not None and state.sha256 is not None and self.store.get_blob(state.sha256) is not None

        def conditional(hop: str) -> dict[str, str]:
            if not cached or hop != (state.final_url or url):
                return {}
            return {k: v for k, v in (("If-None-Match", state.etag), ("If-Modified-Since", state.last_modified)) if v}

        final, attempt = await self._follow(url, conditional, self.settings.max_page_bytes, pages_only=True)
        if attempt.reason is not None:
            return self._fail(url, attempt.reason, attempt.detail, attempt.status, attempt.tries)
        if attempt.status == 304 and cached:
            self.store.mark_revalidated(url, run_id=self.run_id, attempts=attempt.tries)
            page = self.store.page_from_state(state, "revalidated")
            if page is not None:
                return page
        if attempt.status != 200:
            detail = attempt.detail or f"HTTP {attempt.status} after {attempt.tries} tries"
            return self._fail(url, http_reason(attempt.status), detail, attempt.status, attempt.tries)
        media, charset = split_content_type(attempt.headers.get("content-type"))
        page = RawPage(
            source_url=url,
            body=attempt.body,
            fetched_at=utc_now(),
            content_type=media,
            charset=charset,
            final_url=final if final != url else None,
            status=200,
            headers={k: v for k, v in attempt.headers.items() if k not in TRANSFER_HEADERS},
        )
        if self.store is not None:  # the worker already wrote the blob: only the state row is left
            self.store.save_page(page, run_id=self.run_id, attempts=attempt.tries, sha256=attempt.sha256)
        return page

    def _fail(self, url: str, reason: str, detail: str, status: int | None, tries: int) -> QuarantineEntry:
        entry = QuarantineEntry(url, Stage.FETCH.value, reason, detail, None, utc_now())
        if self.store is not None:
            self.store.save_failure(entry, status=status, run_id=self.run_id, attempts=tries)
        return entry
