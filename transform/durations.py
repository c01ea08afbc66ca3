"""How long a procedure takes, as (min, max) whole minutes parsed from the printed text.

Only the first duration phrase of the procedure itself counts: sentences about recovery or
monitoring are skipped when another sentence gives a duration. Vague amounts ("a few
minutes", "several hours") give no bound; "less than 30 minutes" gives only a maximum and
"at least 2 hours" only a minimum. Days and weeks are stays or recovery, never parsed.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50, "sixty": 60, "ninety": 90,
}
_WORD_ALT = "|".join(sorted((w for w in _WORDS if w not in ("a", "an")), key=len, reverse=True))
_HALF = r"(?:\s*(?:½|1/2)|\s+and\s+(?:a\s+)?half)"
NUM = (
    rf"(?:\d+(?:\.\d+)?{_HALF}?|½|(?:{_WORD_ALT}){_HALF}?"
    r"|half\s+an?|a\s+half|half|an?)"
)
UNIT = r"(?:hours?|hrs?\.?|h|minutes?|mins?\.?)"
_PART = rf"\b{NUM}\s*\+?\s*-?\s*{UNIT}(?:\s+and\s+a\s+half)?(?![A-Za-z])"
Q = rf"{_PART}(?:\s*,?\s*(?:and\s+)?\d+\s*{UNIT}(?![A-Za-z]))?"
VAGUE = rf"\b(?:a\s+few|few|several|a\s+couple(?:\s+of)?|many|some)\s+{UNIT}(?![A-Za-z])"
_TO = r"\s*(?:-|–|—|to|or|until)\s*"
_PHRASE = re.compile(
    rf"\bbetween\s+(?P<b1>{NUM}(?:\s*{UNIT})?)\s+and\s+(?P<b2>{Q})"
    rf"|(?P<v1>{VAGUE}){_TO}(?P<v2>{Q})"
    rf"|(?P<q1>{Q}){_TO}(?P<q2>{Q})"
    rf"|(?P<n1>\b\d+(?:\.\d+)?|\b(?:{_WORD_ALT})){_TO}(?P<n2>{Q})"
    rf"|(?P<vague>{VAGUE})"
    rf"|(?P<q>{Q})",
    re.I,
)
_PARTS = re.compile(rf"(?P<num>{NUM})\s*(?P<plus>\+)?\s*-?\s*(?P<unit>{UNIT})(?P<half>\s+and\s+a\s+half)?", re.I)
_BARE = re.compile(NUM, re.I)
_AT_MOST = re.compile(
    r"(?:less\s+than|fewer\s+than|under|up\s+to|within|no\s+(?:more|longer)\s+than"
    r"|not\s+(?:more|longer)\s+than|at\s+(?:the\s+)?most|a\s+maximum\s+of|maximum\s+of|max\.?)\s*$", re.I)
_AT_LEAST = re.compile(
    r"(?:at\s+least|more\s+than|over|longer\s+than|a\s+minimum\s+of|minimum\s+of|upwards\s+of"
    r"|in\s+excess\s+of)\s*$", re.I)
_OR_LESS = re.compile(r"^\s*or\s+(?:less|fewer|shorter|under)\b", re.I)
_OR_MORE = re.compile(r"^\s*(?:or\s+(?:more|longer)\b|\+)", re.I)
_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\n+")
_RECOVERY = re.compile(
    r"\b(?:recover\w*|heal\w*|monitor\w*|observ\w*|rest\w*|stay\w*|afterwards?|after\s+the\s+"
    r"(?:procedure|injection|surgery|treatment)|discharg\w*|return\s+to)\b", re.I)


_HALF_TAIL = re.compile(r"½|1/2|and\s+(?:a\s+)?half$")
_HALF_ONLY = re.compile(r"half\s+an?|a\s+half|half")
_HEAD = re.compile(r"\d+(?:\.\d+)?|[a-z-]+")


def _number(text: str) -> float:
    text = text.strip().lower()
    half = 0.5 if _HALF_TAIL.search(text) else 0.0
    if _HALF_ONLY.fullmatch(text):
        return 0.5
    head = _HEAD.match(text)
    if head is None:
        return half
    word = head.group(0)
    value = float(word) if word[0].isdigit() else float(_WORDS.get(word, 0))
    return value + half


def _minutes_per(unit: str) -> int:
    return 60 if unit.lower().startswith("h") else 1


def _quantity(text: str) -> tuple[float, int]:
    """Minutes in a quantity ("1 hour 30 minutes" → 90) and the minutes per unit of its first part."""
    total, first_unit = 0.0, 1
    for i, m in enumerate(_PARTS.finditer(text)):
        per = _minutes_per(m.group("unit"))
        first_unit = per if i == 0 else first_unit
        total += (_number(m.group("num")) + (0.5 if m.group("half") else 0.0)) * per
    return total, first_unit


def _bare(text: str, per: int) -> float:
    """A number printed without its unit ("1 to 2 hours"): it takes the unit of the other end."""
    if _PARTS.search(text):
        return _quantity(text)[0]
    m = _BARE.search(text)
    return _number(m.group(0)) * per if m else 0.0


def _bounds(m: re.Match[str], before: str, after: str) -> tuple[float | None, float | None]:
    g = m.groupdict()
    if g["b2"] or g["n2"] or g["q2"]:
        high, per = _quantity(g["b2"] or g["n2"] or g["q2"])
        low = _bare(g["b1"] or g["n1"] or g["q1"], per)
        return low, high
    if g["v2"]:
        return None, _quantity(g["v2"])[0]
    if g["vague"]:
        return None, None
    value = _quantity(g["q"])[0]
    if _AT_MOST.search(before) or _OR_LESS.match(after):
        return None, value
    if _AT_LEAST.search(before) or _OR_MORE.match(after) or "+" in g["q"]:
        return value, None
    return value, value


def _first_phrase(text: str) -> tuple[re.Match[str], str, str] | None:
    """The first duration phrase, preferring sentences that are not about recovery."""
    found = []
    for sentence in _SENTENCES.split(text):
        m = _PHRASE.search(sentence)
        if m:
            found.append((m, sentence[: m.start()], sentence[m.end():], _RECOVERY.search(sentence)))
    for m, before, after, recovery in found:
        if not recovery:
            return m, before, after
    return found[0][:3] if found else None


@lru_cache(maxsize=4096)  # pure, and a site prints the same few duration texts page after page
def parse_duration(text: str | None) -> tuple[int | None, int | None]:
    """(min_minutes, max_minutes) of the procedure, None where the text gives no bound."""
    if not text:
        return None, None
    phrase = _first_phrase(text)
    if phrase is None:
        return None, None
    low, high = _bounds(*phrase)
    return (None if low is None else round(low)), (None if high is None else round(high))
