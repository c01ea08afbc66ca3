"""List items: markers off, and inline lists ("a, b, and c") cut into their items.

The marker pattern is the parsers' own (`extract.selectors.LIST_MARKER`), so an item is
trimmed the same way whichever stage sees it first. Splitting honours parentheses:
"Physician (often a pain specialist or anesthesiologist)" stays one item.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from extract.selectors import LIST_MARKER
from transform.text import normalize_inline

_LAST_JOIN = re.compile(r"^(?:and|or|and/or|as well as)\s+", re.I)
_PAIR = re.compile(r"^(?P<a>.+?)\s+(?:and|or)\s+(?P<b>.+)$", re.I)
_AND_PAIR = re.compile(r"^(?P<a>.+?)\s+and\s+(?P<b>.+)$", re.I)
_END_PUNCT = re.compile(r"[\s.;,:!]+$")
_OPEN, _CLOSE = "([{", ")]}"
_OPENS = re.compile(r"[(\[{]")
# The two halves of "b and c" are separate items only when both are short noun phrases.
_MAX_PAIR_WORDS = 4


@lru_cache(maxsize=8192)
def strip_marker(text: str) -> str:
    """The item text without its bullet or numbering (`•`, `-`, `1.`, `(a)`, `Step 1:`).

    Kept per text: one block is stripped by up to three stages of the same page (the record's
    blocks, risks, related codes, and `parse_item` once more), and a page's block strings are
    the same objects each time, so a hit costs one dict lookup on an already-hashed string."""
    text = normalize_inline(text)
    match = LIST_MARKER.match(text)
    return text[match.end():].strip() if match else text


def split_top_level(text: str, separators: str = ",;") -> list[str]:
    """Cut at separators outside parentheses/brackets; pieces trimmed, empty ones dropped."""
    if not _OPENS.search(text):  # nothing opens a bracket (most texts): every separator cuts
        pieces = [text]
        for sep in separators:
            if sep not in _CLOSE:  # (the loop below never cuts at a bracket)
                pieces = [piece for part in pieces for piece in part.split(sep)]
        return [p.strip() for p in pieces if p.strip()]
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif ch in separators and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


_CONJUNCTION = re.compile(r"\s+(?:and/or|and|or)\s+", re.I)


def split_conjunctions(text: str) -> list[str]:
    """Cut "a or b and c" at conjunctions outside parentheses (for places, where each side is
    one place; risks keep "pain or discomfort" whole and do not call this)."""
    pieces, start, depth, last = [], 0, 0, 0
    for m in _CONJUNCTION.finditer(text):
        for ch in text[last:m.start()]:
            depth += (ch in _OPEN) - (ch in _CLOSE)
        last = m.start()
        if depth <= 0:
            pieces.append(text[start:m.start()])
            start = m.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


def _short(text: str) -> bool:
    return len(text.split()) <= _MAX_PAIR_WORDS


def split_list(text: str, *, split_lone_and: bool = False) -> list[str]:
    """"a, b, and c" / "a, b and c" / "a; b; c" → [a, b, c], trailing punctuation dropped.

    A lone "a or b" (no comma) stays one item ("localized pain or discomfort"); a lone
    "a and b" is cut only with `split_lone_and` (prose such as "risks include a and b"). In a
    comma list without the Oxford comma, the last piece "b and c" is cut when both halves are
    short.
    """
    pieces = split_top_level(_END_PUNCT.sub("", normalize_inline(text)))
    out: list[str] = []
    for i, piece in enumerate(pieces):
        oxford = _LAST_JOIN.match(piece)
        if oxford:
            piece = piece[oxford.end():]
        elif i == len(pieces) - 1:
            pair = (_PAIR if i > 0 else _AND_PAIR if split_lone_and else None)
            match = pair.match(piece) if pair else None
            if match and "(" not in piece and _short(match.group("a")) and _short(match.group("b")):
                out.extend([match.group("a"), match.group("b")])
                continue
        piece = _END_PUNCT.sub("", piece)
        if piece:
            out.append(piece)
    return out


_MAX_PHRASE_WORDS = 6
_SENTENCE_BREAK = re.compile(r"[.!?]\s+\S")
_LEAD_LABEL = re.compile(r"^(?P<label>[^:,;]{1,40}):\s*")


def split_phrases(text: str, is_heading: Callable[[str], bool] = lambda _: False) -> list[str] | None:
    """A one-sentence paragraph that is only a series of short phrases ("Personnel: surgeon,
    anesthesiologist, scrub nurse.") → its phrases, a leading label that `is_heading` says
    repeats the section's heading dropped; None for prose, so it stays one item."""
    text = normalize_inline(text)
    label = _LEAD_LABEL.match(text)
    if label and is_heading(label.group("label").strip()):
        text = text[label.end():]
    if _SENTENCE_BREAK.search(text) or len(split_top_level(text)) < 2:
        return None
    phrases = split_list(text)
    if len(phrases) < 2 or any(len(p.split()) > _MAX_PHRASE_WORDS for p in phrases):
        return None
    return phrases
