"""A SOURCE URL → the page URLs to fetch: a page, a sitemap (or index), or a whole site.

Reads settings: `include` / `exclude` (regexes on every discovered page URL), `follow_links`,
`max_depth` (link-following only), `max_pages` (applied by the crawl, across sources).

A site root (`http://host/`) is read through the Sitemap lines of its robots.txt, falling
back to `/sitemap.xml`; a site with neither is crawled from its root page, following links
within the site when `follow_links` is on. Sitemaps are authoritative: pages they list are
not link-followed. Links are read with lxml only for their hrefs — page content is parsed
later, from the stored bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import AsyncIterator
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from extract.fetcher import Fetcher
from extract.sitemap import SitemapRead, read_sitemaps
from extract.urls import canonicalize, is_web_url, origin, same_site
from medcodes.settings import Settings

SITEMAP_SUFFIXES: tuple[str, ...] = (".xml", ".xml.gz")


@dataclass(frozen=True)
class Discovered:
    """A page URL to fetch; `depth` counts link hops from the source, `follow` allows more."""

    url: str
    source: str
    depth: int = 0
    follow: bool = False


@dataclass
class SourceReport:
    """How one SOURCE was read; `sitemap_complete` is None when no sitemap was involved."""

    source: str
    kind: str  # "page", "sitemap" or "site"
    listing: SitemapRead = field(default_factory=SitemapRead)

    @property
    def sitemap_complete(self) -> bool | None:
        return self.listing.complete if self.listing.sitemaps or self.listing.failures else None


def source_kind(url: str) -> str:
    path = urlsplit(url).path
    if path in ("", "/"):
        return "site"
    return "sitemap" if path.lower().endswith(SITEMAP_SUFFIXES) else "page"


class UrlFilter:
    """`include` (any must match, if given) and `exclude` (none may match) regexes."""

    def __init__(self, settings: Settings) -> None:
        self._include = [re.compile(p) for p in settings.include]
        self._exclude = [re.compile(p) for p in settings.exclude]

    def __call__(self, url: str) -> bool:
        if self._include and not any(p.search(url) for p in self._include):
            return False
        return not any(p.search(url) for p in self._exclude)


def extract_links(body: bytes, base_url: str) -> list[str]:
    """Canonical http(s) targets of a page's `<a href>`s, honouring `<base href>`."""
    try:
        doc = lxml.html.fromstring(body, base_url=base_url)
    except (etree.ParserError, ValueError):
        return []
    base = next(iter(doc.xpath("//base/@href")), None)
    base = canonicalize(base, base_url) if base else base_url
    links = []
    for href in doc.xpath("//a/@href"):
        href = href.strip()
        if href and not href.startswith("#"):
            url = canonicalize(href, base)
            if is_web_url(url):
                links.append(url)
    return links


def linked_pages(parent: Discovered, body: bytes, settings: Settings, keep: UrlFilter) -> list[Discovered]:
    """The next hop of link-following from a fetched page, within the source's site."""
    if not parent.follow or parent.depth >= settings.max_depth:
        return []
    return [
        Discovered(url, parent.source, parent.depth + 1, follow=True)
        for url in extract_links(body, parent.url)
        if same_site(parent.source, url) and keep(url)
    ]


async def discover(source: str, fetcher: Fetcher, settings: Settings, report: SourceReport) -> AsyncIterator[Discovered]:
    """The page URLs one SOURCE names, as they are found (sitemaps are read lazily, in order)."""
    source = canonicalize(source)
    if report.kind == "page":
        yield Discovered(source, source, 0, settings.follow_links)
        return
    if report.kind == "sitemap":
        async for url in read_sitemaps(fetcher.fetch_listing, source, report.listing):
            yield Discovered(url, source)
        return
    rules = await fetcher.robots.rules_for(source)
    sitemaps = rules.sitemaps or [f"{origin(source)}/sitemap.xml"]
    for sitemap_url in sitemaps:
        async for url in read_sitemaps(fetcher.fetch_listing, sitemap_url, report.listing):
            yield Discovered(url, source)
    if not rules.sitemaps and not report.listing.sitemaps:
        report.listing = SitemapRead()  # the /sitemap.xml guess failing is not a broken listing
        yield Discovered(source, source, 0, settings.follow_links)
