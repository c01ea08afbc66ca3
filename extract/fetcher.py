"""Polite, resilient page fetching with httpx: one URL in, a RawPage or a QuarantineEntry out.

Reads settings: `user_agent`, `connect_timeout`, `read_timeout`, `max_retries`,
`max_page_bytes`, `concurrency_per_host` (also the connection-pool size of the host's
client); throttling settings via `extract.throttle`, robots settings via `extract.robots`.

Transient failures (connect errors, timeouts, dropped connections, 429, most 5xx) are
retried with backoff, or after Retry-After when the server names a wait — never sooner,
and not at all when it asks for longer than `retry_after_cap`. 404 and 410 are final at
once. Redirects are followed by hand so an off-site hop is refused, not fetched. Bodies are
streamed and abandoned as soon as they pass `max_page_bytes`. A stored ETag/Last-Modified
makes the request conditional; a 304 returns the stored bytes, marked "revalidated".
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import httpx

from extract.rawpage import RawPage, utc_now
from extract.raw_store import RawStore
from extract.robots import Resource, RobotsCache
from extract.sitemap import MAX_SITEMAP_BYTES
from extract.throttle import RETRY_AFTER_MARGIN, HostThrottle, backoff_delay, retry_after_seconds
from extract.urls import canonicalize, host_key, same_site
from medcodes.settings import Settings
from schemas.reasons import QuarantineEntry, Reason, Stage, http_reason

PAGE_TYPES: frozenset[str] = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
REDIRECTS: frozenset[int] = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
STORE_THREADS = 1
# Headers describing the transfer, not the page: the stored body is already decoded.
TRANSFER_HEADERS: frozenset[str] = frozenset({"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"})


def is_transient(status: int) -> bool:
    """Statuses worth another try: rate limiting and server trouble (not 501/505, which persist)."""
    return status == 429 or (status >= 500 and status not in (501, 505))


def split_content_type(value: str | None) -> tuple[str | None, str | None]:
    """`text/html; charset="UTF-8"` → (`text/html`, `UTF-8`)."""
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media.strip().lower() or None, charset


@dataclass
class Attempt:
    """The outcome of one request (or of the last of its retries)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    reason: str | None = None  # a Reason value when the request failed before a usable answer
    detail: str = ""
    tries: int = 0


class Fetcher:
    """Fetches for one crawl; one httpx client and throttle per host, closed by `aclose`."""

    def __init__(self, settings: Settings, store: RawStore | None, run_id: str,
                 on_retry: Callable[[], None] = lambda: None) -> None:
        self.settings = settings
        self.store = store
        self.run_id = run_id
        self.on_retry = on_retry
        self.robots = RobotsCache(self.fetch_resource, settings)
        self._hosts: dict[str, tuple[httpx.AsyncClient, HostThrottle]] = {}
        # Blob writes (hash, gzip, file creation) run here, off the event loop. One thread: more
        # only fight the loop for the GIL, and the file syscalls already overlap with fetching.
        self._writer = ThreadPoolExecutor(max_workers=STORE_THREADS, thread_name_prefix="medcodes-store")

    async def aclose(self) -> None:
        for client, _ in self._hosts.values():
            await client.aclose()
        self._writer.shutdown(wait=True)

    def _host(self, url: str) -> tuple[httpx.AsyncClient, HostThrottle]:
        key = host_key(url)
        if key not in self._hosts:
            s = self.settings
            client = httpx.AsyncClient(
                headers={"User-Agent": s.user_agent},
                timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=None),
                limits=httpx.Limits(max_connections=s.concurrency_per_host, max_keepalive_connections=s.concurrency_per_host),
                follow_redirects=False,
            )
            self._hosts[key] = (client, HostThrottle(s))
        return self._hosts[key]

    # --- one request, with retries -----------------------------------------------------
    async def _once(self, url: str, headers: dict[str, str], max_bytes: int, pages_only: bool) -> Attempt:
        client, throttle = self._host(url)
        async with throttle.turn():
            try:
                async with client.stream("GET", url, headers=headers) as resp:
                    got = {k.lower(): v for k, v in resp.headers.items()}
                    if resp.status_code != 200:
                        return Attempt(resp.status_code, got)
                    media, _ = split_content_type(got.get("content-type"))
                    if pages_only and media is not None and media not in PAGE_TYPES:
                        return Attempt(200, got, reason=Reason.NOT_HTML.value, detail=f"content type {media}")
                    declared = got.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        return Attempt(200, got, reason=Reason.TOO_LARGE.value, detail=f"Content-Length {declared} > {max_bytes}")
                    chunks, size = [], 0
                    async for chunk in resp.aiter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            return Attempt(200, got, reason=Reason.TOO_LARGE.value, detail=f"body passed {max_bytes} bytes")
                        chunks.append(chunk)
                    return Attempt(200, got, b"".join(chunks))
            except httpx.TimeoutException as exc:
                return Attempt(reason=Reason.TIMEOUT.value, detail=f"{type(exc).__name__}: {exc}")
            except httpx.ConnectError as exc:
                return Attempt(reason=Reason.CONNECT_ERROR.value, detail=str(exc))
            except httpx.RemoteProtocolError as exc:
                return Attempt(reason=Reason.CONNECTION_DROPPED.value, detail=str(exc))
            except httpx.TransportError as exc:
                return Attempt(reason=Reason.READ_ERROR.value, detail=f"{type(exc).__name__}: {exc}")

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
        if self.store is not None:  # file creation costs ~1 ms on ext4: keep it off the event loop
            save = functools.partial(self.store.save_page, page, run_id=self.run_id, attempts=attempt.tries)
            await asyncio.get_running_loop().run_in_executor(self._writer, save)
        return page

    def _fail(self, url: str, reason: str, detail: str, status: int | None, tries: int) -> QuarantineEntry:
        entry = QuarantineEntry(url, Stage.FETCH.value, reason, detail, None, utc_now())
        if self.store is not None:
            self.store.save_failure(entry, status=status, run_id=self.run_id, attempts=tries)
        return entry
