"""RawPage → ParsedPage, or a quarantine entry saying why the bytes are not a page we can read.

Reads only stored bytes (never the network), so a parser fix re-runs over the raw store.
Decides the format from, in order: binary signatures (a PDF is never text, whatever its
header says), the declared content type, the URL's file extension and, when those are
silent or say "text/plain", a sniff for HTML markup. Any unexpected exception in a parser
becomes a `parse_error` entry, so one hostile page never stops a batch.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from extract.decode import decode_page
from extract.document import ParsedPage
from extract.html_parser import parse_html
from extract.rawpage import RawPage
from extract.text_parser import parse_text
from schemas.reasons import QuarantineEntry, Reason, Stage

# Magic numbers of the binary formats that turn up where pages are expected.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"), (b"\x89PNG", "PNG image"), (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"), (b"PK\x03\x04", "ZIP archive (or Office document)"),
    (b"\x1f\x8b", "gzip data"), (b"BZh", "bzip2 data"), (b"7z\xbc\xaf", "7-Zip archive"),
    (b"Rar!", "RAR archive"), (b"\xd0\xcf\x11\xe0", "OLE document (old Office)"),
    (b"RIFF", "RIFF media (WebP/WAV/AVI)"), (b"OggS", "Ogg media"), (b"ID3", "MP3 audio"),
    (b"\x00\x00\x01\x00", "ICO image"), (b"II*\x00", "TIFF image"), (b"MM\x00*", "TIFF image"),
    (b"\x7fELF", "ELF executable"), (b"MZ", "Windows executable"), (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"), (b"\x00asm", "WebAssembly"), (b"SQLite format 3", "SQLite database"),
)
_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)
_UNICODE_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/html"})
_TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
_SNIFF_TYPES = frozenset({"application/octet-stream", "binary/octet-stream", "application/unknown",
                          "text/xml", "application/xml", ""})
_HTML_EXT = frozenset({".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp"})
_TEXT_EXT = frozenset({".txt", ".text", ".md"})
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAG = re.compile(rb"<(?:p|div|h[1-6]|ul|ol|li|table|br|span|a|section|article|main|meta|title)\b[^>]*>", re.I)
_SNIFF_BYTES = 4096
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 32)])  # text never holds these (ESC aside)


def _binary_kind(body: bytes) -> str | None:
    """What binary format the bytes are, or None when they may be text."""
    if body.startswith(_MAGIC_PREFIXES):  # (one C call for the common case: none of them)
        return next(kind for magic, kind in _MAGIC if body.startswith(magic))
    head = body[:_SNIFF_BYTES]
    if head.startswith(_UNICODE_BOMS) or not head:
        return None
    if b"\x00" in head:
        return "binary data (NUL bytes)"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return "binary data (control bytes)" if controls > len(head) // 20 else None


def looks_like_html(body: bytes) -> bool:
    """Markup at the top of the page, or many tags in its first 4 KB."""
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(head)) or len(_HTML_TAG.findall(head)) >= 3


def _format(raw: RawPage) -> str | None:
    """`html`, `text`, or None for a declared type we do not read."""
    ctype = (raw.content_type or "").split(";")[0].strip().lower()
    if ctype in _HTML_TYPES:
        return "html"
    ext = PurePosixPath(urlsplit(raw.url).path).suffix.lower()
    if ctype in _TEXT_TYPES or (not ctype and ext in _TEXT_EXT):
        return "html" if looks_like_html(raw.body) else "text"
    if ctype and ctype not in _SNIFF_TYPES and not ctype.startswith("text/"):
        return None
    if ext in _HTML_EXT:
        return "html"
    return "html" if looks_like_html(raw.body) else "text"


def _quarantine(raw: RawPage, reason: Reason, detail: str) -> QuarantineEntry:
    return QuarantineEntry(source_url=raw.url, stage=Stage.PARSE.value, reason=reason.value,
                           detail=detail, content_sha256=raw.sha256, seen_at=raw.fetched_at)


def parse_page(raw: RawPage) -> ParsedPage | QuarantineEntry:
    """Parse one stored page; data problems come back as a `QuarantineEntry`, never raised."""
    if not raw.body or raw.body.isspace():  # (as `not body.strip()`, without copying the body)
        return _quarantine(raw, Reason.EMPTY_PAGE, "the page has no bytes (or only whitespace)")
    binary = _binary_kind(raw.body)
    if binary is not None:
        return _quarantine(raw, Reason.NOT_HTML, f"binary content: {binary}")
    fmt = _format(raw)
    if fmt is None:
        return _quarantine(raw, Reason.NOT_HTML, f"content type {raw.content_type!r} is neither HTML nor text")
    try:
        decoded = decode_page(raw.body, raw.charset)
        if fmt == "html":
            page = parse_html(raw.body if decoded.is_body_utf8 else decoded.text, raw.url)
        else:
            page = parse_text(decoded.text)
    except Exception as exc:  # noqa: BLE001 — any parser failure is this page's problem, not the run's
        return _quarantine(raw, Reason.PARSE_ERROR, f"{fmt} parser failed: {type(exc).__name__}: {exc}")
    if not page.sections and not page.lead and not page.descriptor:
        return _quarantine(raw, Reason.EMPTY_PAGE, f"no text found in the {fmt} page")
    return page
