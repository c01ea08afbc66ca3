"""Sitemaps and sitemap indexes (sitemaps.org 0.9), plain or gzipped, nested, parsed with lxml.

Reads no settings directly: fetching goes through the fetcher handed in, which applies the
politeness and retry settings. Gzip is recognised by its magic bytes, since servers send
`.xml.gz` as `application/xml`, `application/gzip` or with no hint at all.

A listing is *complete* only when every sitemap it names was fetched and parsed without
error. Later stages remove a code only when its page is absent from a complete listing, so
anything less (a 503 on one child sitemap, a truncated file) marks it incomplete.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import AsyncIterator

from lxml import etree

from extract.robots import ResourceFetcher
from extract.urls import canonicalize, is_web_url
from schemas.reasons import Reason, http_reason

# sitemaps.org caps a sitemap at 50 MB uncompressed; also our guard against gzip bombs.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
MAX_NESTING = 5  # index → index → … ; the protocol allows one level, real sites use a few
GZIP_MAGIC = b"\x1f\x8b"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_LENIENT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=True)


@dataclass(frozen=True)
class SitemapDoc:
    """One parsed sitemap file: `urlset` (page URLs) or `sitemapindex` (child sitemap URLs)."""

    kind: str
    locs: list[str]
    error: str | None = None  # set when the file was damaged; `locs` holds what was recovered


@dataclass
class SitemapRead:
    """The outcome of reading one listing (a sitemap or index, with everything it names)."""

    sitemaps: list[str] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (sitemap url, reason, detail)
    listed: int = 0

    @property
    def complete(self) -> bool:
        return bool(self.sitemaps) and not self.failures


def decompress(body: bytes) -> bytes:
    """The XML of a sitemap body, gunzipped if it starts with the gzip magic bytes."""
    if not body.startswith(GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = inflater.decompress(body, MAX_SITEMAP_BYTES + 1)
    if len(out) > MAX_SITEMAP_BYTES:
        raise ValueError(f"sitemap larger than {MAX_SITEMAP_BYTES} bytes uncompressed")
    if not inflater.eof:
        raise EOFError("truncated gzip sitemap")
    return out


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, base_url: str) -> SitemapDoc:
    """Parse sitemap bytes; damaged XML yields what lxml can recover plus an `error`."""
    error = None
    try:
        xml = decompress(body)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        return SitemapDoc("unknown", [], f"bad gzip: {exc}")
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        error = f"XML error: {exc}"
        root = etree.fromstring(xml, _LENIENT) if xml.strip() else None
    if root is None:
        return SitemapDoc("unknown", [], error or "empty document")
    kind = _local(root.tag).lower()
    if kind not in ("urlset", "sitemapindex"):
        return SitemapDoc(kind, [], error or f"not a sitemap (root element <{kind}>)")
    locs = []
    for entry in root:
        for child in entry:
            if _local(child.tag) == "loc" and child.text and child.text.strip():
                url = canonicalize(child.text.strip(), base_url)
                if is_web_url(url):
                    locs.append(url)
    return SitemapDoc(kind, locs, error)


async def read_sitemaps(fetch: ResourceFetcher, url: str, result: SitemapRead) -> AsyncIterator[str]:
    """Page URLs listed by the sitemap or index at `url`, depth-first; outcome recorded in `result`."""
    seen: set[str] = set()

    async def walk(sitemap_url: str, depth: int) -> AsyncIterator[str]:
        if sitemap_url in seen:
            return
        seen.add(sitemap_url)
        if depth > MAX_NESTING:
            result.failures.append((sitemap_url, Reason.PARSE_ERROR.value, f"nested deeper than {MAX_NESTING} indexes"))
            return
        resource = await fetch(sitemap_url)
        if resource.status != 200:
            reason = resource.error or http_reason(resource.status or 0)
            result.failures.append((sitemap_url, reason, f"sitemap not read: {reason}"))
            return
        result.sitemaps.append(sitemap_url)
        doc = parse_sitemap(resource.body, sitemap_url)
        if doc.error:
            result.failures.append((sitemap_url, Reason.PARSE_ERROR.value, f"sitemap damaged: {doc.error}"))
        if doc.kind == "sitemapindex":
            for child in doc.locs:
                async for page_url in walk(child, depth + 1):
                    yield page_url
        else:
            for page_url in doc.locs:
                result.listed += 1
                yield page_url

    async for page_url in walk(canonicalize(url), 0):
        yield page_url
