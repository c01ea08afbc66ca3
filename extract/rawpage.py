"""The unit every source yields: the exact bytes of one page plus where and when they came from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Mapping


@dataclass(frozen=True)
class RawPage:
    """Bytes of one captured page; parsing never happens here.

    `source_url` is the address the user or discovery asked for (`file://` for local
    files); `final_url` is where redirects ended, when different. `content_type` is the
    media type without parameters (`text/html`, `text/plain`), from the HTTP header or
    guessed from a file extension; `charset` is the header's charset parameter, if any.
    """

    source_url: str
    body: bytes
    fetched_at: datetime
    content_type: str | None = None
    charset: str | None = None
    final_url: str | None = None
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.fetched_at.tzinfo is None:
            raise ValueError("RawPage.fetched_at must be timezone-aware (UTC)")

    @cached_property
    def sha256(self) -> str:
        """Hex digest of the raw bytes: the page's identity for caching and change detection."""
        return hashlib.sha256(self.body).hexdigest()

    @property
    def url(self) -> str:
        """The address the bytes really came from (after redirects)."""
        return self.final_url or self.source_url


def utc_now() -> datetime:
    """Current time in UTC at microsecond precision (what `timestamp[us, UTC]` stores)."""
    return datetime.now(timezone.utc)
