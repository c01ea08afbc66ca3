"""URL canonicalization and the same-site test.

Two spellings of one page (`HTTP://Example.com:80/a#top`, `http://example.com/a`) must
collapse to one key, or the crawler fetches a page twice and the store keeps two copies.
Reads no settings.
"""

from __future__ import annotations

from typing import Iterable, Iterator
from urllib.parse import urljoin, urlsplit, urlunsplit

DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}
WEB_SCHEMES: frozenset[str] = frozenset(DEFAULT_PORTS)


def canonicalize(url: str, base: str | None = None) -> str:
    """One spelling per page: absolute, lower-case scheme and host, no default port, no fragment.

    The path and query are kept as written (servers may treat them case-sensitively); an
    empty path becomes `/`. Relative references are resolved against `base`.
    """
    if base is not None:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    port = parts.port
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host (mailto:, javascript: and the like are not)."""
    parts = urlsplit(url)
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def site_key(url: str) -> tuple[str, int]:
    """The site a URL belongs to: host (without a leading `www.`) and effective port.

    http and https on their default ports count as one site, so an http→https upgrade
    redirect stays on site; a different port is a different server, hence another site.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower(), 0)
    return host, (0 if port in (80, 443) else port)


def same_site(a: str, b: str) -> bool:
    return site_key(a) == site_key(b)


def host_key(url: str) -> str:
    """`host[:port]` exactly as connected to: the unit of politeness limits."""
    return urlsplit(canonicalize(url)).netloc.rsplit("@", 1)[-1]


def origin(url: str) -> str:
    """`scheme://host[:port]`: where that URL's robots.txt lives."""
    parts = urlsplit(canonicalize(url))
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def dedupe(urls: Iterable[str]) -> Iterator[str]:
    """Canonical URLs in first-seen order, each once."""
    seen: set[str] = set()
    for url in urls:
        key = canonicalize(url)
        if key not in seen:
            seen.add(key)
            yield key
