"""Text normalization shared by every stage: NFC, repaired mojibake, no invisible characters,
collapsed whitespace. One function per shape of text (inline vs. multi-line)."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

import ftfy

# Zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen, LTR/RTL marks.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f]")
# Characters that only appear when UTF-8 was decoded as Latin-1/cp1252; checked before
# calling ftfy, which costs ~20 µs even on clean text.
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00e2\u00c5\u00ce\u00cf\u00d0\u00d1\ufffd]")

# An entity that survived HTML parsing ("&amp;nbsp;" in the source → "&nbsp;" in text) is
# double-escaped markup, not text a reader would see; checked before calling html.unescape.
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # leftover entities are decoded by normalize_inline, only when present
    fix_line_breaks=False,
    uncurl_quotes=False,  # curly quotes are text, not damage
    normalization="NFC",
    explain=False,
)


def repair(text: str) -> str:
    """Repair mojibake (`donâ€™t` → `don’t`) only when the text shows signs of it."""
    if _MOJIBAKE_HINT.search(text):
        text = ftfy.fix_text(text, config=_FTFY_CONFIG)
    return text


# Texts this short (headings, labels, list items) recur within and across a site's pages, and
# each stage normalizes them again: their answers are kept. Paragraphs rarely recur.
_SHORT = 100


def normalize_inline(text: str) -> str:
    """One line of text: NFC, mojibake repaired, leftover entities decoded, invisible characters
    dropped, whitespace collapsed (so a decoded "&nbsp;" becomes one plain space)."""
    return _normalize_short(text) if len(text) <= _SHORT else _normalize(text)


def _normalize(text: str) -> str:
    """Called a few hundred times per page, so ASCII text (most of it) skips the steps that only
    change non-ASCII characters; `str.split` splits on exactly the characters `\\s` matches."""
    if not text.isascii():
        text = repair(text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if not text.isascii():  # (an entity may have decoded to a non-ASCII character)
        text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    return " ".join(text.split())


_normalize_short = lru_cache(maxsize=16384)(_normalize)


def normalize_lines(lines: list[str]) -> list[str]:
    """Normalize each line and drop the ones left empty."""
    out = []
    for line in lines:
        norm = normalize_inline(line)
        if norm:
            out.append(norm)
    return out
