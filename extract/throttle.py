"""Per-host politeness: a connection limit, a request interval, and the waits between retries.

Reads settings: `concurrency_per_host` (simultaneous requests: numbered slots, which
`extract.fetch_pool` deals to its fetch processes so their connection pools add up to it), `requests_per_second` (the minimum interval between request starts;
a robots.txt Crawl-delay can only make it longer), `backoff_base` (first retry delay,
doubled per retry, with jitter), `retry_after_cap` (longest Retry-After honoured).
"""

from __future__ import annotations

import asyncio
import random
import time
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import AsyncIterator

from medcodes.settings import Settings

# Retry-After wakes us this much after the server's moment, never before it.
RETRY_AFTER_MARGIN = 0.01


class HostThrottle:
    """Gates every request to one host: at most N in flight, starts spaced by the interval."""

    def __init__(self, settings: Settings) -> None:
        self.slots = settings.concurrency_per_host
        self._free: asyncio.LifoQueue[int] = asyncio.LifoQueue()
        for slot in reversed(range(self.slots)):
            self._free.put_nowait(slot)
        self.interval = 1.0 / settings.requests_per_second
        self._next_start = 0.0  # monotonic time before which no request may start

    def apply_crawl_delay(self, seconds: float | None) -> None:
        """A Crawl-delay longer than our own interval wins; a shorter one never speeds us up."""
        if seconds:
            self.interval = max(self.interval, seconds)

    def defer(self, seconds: float) -> None:
        """Hold every request to this host for `seconds` (the server asked, via Retry-After)."""
        self._next_start = max(self._next_start, time.monotonic() + seconds)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[int]:
        """One request's turn: a free slot (its number is yielded), then the host's next start time."""
        slot = await self._free.get()
        try:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.interval
            if start > now:
                await asyncio.sleep(start - now)
            yield slot
        finally:
            self._free.put_nowait(slot)


def backoff_delay(settings: Settings, retry: int) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, so clients spread out."""
    delay = settings.backoff_base * (2**retry)
    return delay / 2 + random.uniform(0, delay / 2)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait per a Retry-After header (delta-seconds or HTTP-date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
