"""Page bytes → text, choosing the encoding the way a browser would, then falling back to detection.

Order: byte-order mark; the HTTP header charset; a `<meta charset>` / `<meta http-equiv>` /
XML declaration in the first 4 KB; strict UTF-8 (valid UTF-8 is almost never anything else);
charset-normalizer's detection; UTF-8 with replacement characters. A declared encoding the
bytes do not decode under is skipped, not trusted. Mojibake repair is not done here: it
belongs to `transform.text.normalize_inline`, which sees every string once.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)
# WHATWG: labels of Latin-1 and ASCII mean windows-1252; a UTF-16 label inside an
# ASCII-compatible document cannot be true (the bytes that spelled it were ASCII).
_ALIASES = {"latin1": "cp1252", "iso8859_1": "cp1252", "ascii": "cp1252", "utf_16": "utf-8",
            "utf_16_le": "utf-8", "utf_16_be": "utf-8", "x_user_defined": "cp1252"}
_STRICT_SOURCES = frozenset({"header", "meta", "utf-8"})  # decoded with `_try`: strict, the whole body
_DETECT_BYTES = 64 * 1024  # detection cost grows with size; 64 KB is plenty of evidence
# Detection cannot tell Latin code pages apart on short English text (it says cp1257 for
# "café"); browsers fall back to windows-1252 there, and so do we.
_LATIN_FAMILY = re.compile(r"^(?:cp125[02478]|cp1252|iso8859_(?:1|2|3|4|9|10|13|14|15|16)|latin_1|mac_(?:roman|latin2|iceland|turkish)|cp437|cp850|cp858)$")


@dataclass(frozen=True)
class Decoded:
    """Text plus the encoding used and why it was chosen (`bom`, `header`, `meta`, `utf-8`,
    `detected`, `fallback`), for debugging a page that came out garbled."""

    text: str
    encoding: str
    source: str

    @property
    def is_body_utf8(self) -> bool:
        """The text is the page's bytes read as strict UTF-8, whole: the bytes themselves stand
        for it (an HTML parser reads UTF-8 bytes without re-encoding the text, ~3% of a parse).
        Not after a byte-order mark (removed from the text) or a lenient decode."""
        return self.encoding == "utf-8" and self.source in _STRICT_SOURCES


@lru_cache(maxsize=256)
def _canonical(label: str | bytes | None) -> str | None:
    """Python codec name for an encoding label, or None for an unknown label (kept per label:
    nearly every page declares one of a few)."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _ALIASES.get(name.replace("-", "_"), name)


def sniff_declared(body: bytes) -> str | None:
    """Encoding declared inside the document (meta tag or XML declaration), if any."""
    head = body[:_SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return _canonical(match.group(1)) if match else None


def _try(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_page(body: bytes, header_charset: str | None = None) -> Decoded:
    """Decode page bytes; never raises (the last resort replaces undecodable bytes)."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom):].decode(encoding, "replace"), encoding, "bom")
    declared = [(_canonical(header_charset), "header"), (sniff_declared(body), "meta")]
    for encoding, source in declared:
        if encoding is None:
            continue
        if encoding == "cp1252" and not body.isascii():
            # The most common lie on the web: "iso-8859-1" headers on UTF-8 bytes.
            text = _try(body, "utf-8")
            if text is not None:
                return Decoded(text, "utf-8", "utf-8")
        text = _try(body, encoding)
        if text is not None:
            return Decoded(text, encoding, source)
    text = _try(body, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", "utf-8")
    best = from_bytes(body[:_DETECT_BYTES]).best()
    if best is not None and best.encoding:
        encoding = _canonical(best.encoding) or best.encoding
        if _LATIN_FAMILY.match(encoding.replace("-", "_")):
            encoding = "cp1252"
        try:  # detection already weighed the odd undecodable byte; keep the rest
            return Decoded(body.decode(encoding, "replace"), encoding, "detected")
        except LookupError:
            pass
    return Decoded(body.decode("utf-8", "replace"), "utf-8", "fallback")


def decode_bytes(body: bytes, header_charset: str | None = None) -> str:
    """Just the text of `decode_page`."""
    return decode_page(body, header_charset).text
