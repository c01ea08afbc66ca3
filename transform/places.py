"""Where a procedure is performed: the places named in a Setting section.

Case rule: a place keeps its printed spelling except that a sentence-case first word is
lower-cased ("Outpatient clinic" → "outpatient clinic"), because list items and sentence
starts are capitalised by position, not by name. A phrase with any other capital ("Mayo
Clinic", "ICU", "Intensive Care Unit") is a name and stays as printed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from transform.lists import split_conjunctions, split_list, strip_marker

# What introduces the places in a sentence, strongest first ("performed in", "settings include",
# then a sentence that opens with "In"/"At"). An "-ed" verb is a whole run of letters (`\s` must
# follow it): the run is taken possessively and its last three letters checked, where `[a-z]+ed`
# gave the run back one letter at a time at every word of the sentence (same matches).
_INTROS = (
    re.compile(
        r"\b(?:[a-z]++(?<=[a-z]ed)|done|carried\s+out|held|given|seen|takes?\s+place|occurs?|available)"
        r"\s+(?:either\s+)?(?:in|at|within|inside|on(?=\s+an?\s+(?:out|in)patient))\s+", re.I),
    re.compile(r"\b(?:for\s+use|used|use)\s+(?:in|at)\s+", re.I),
    re.compile(r"\b(?:dispensed|supplied|provided|sold|filled)\s+(?:by|from|through|at)\s+", re.I),
    re.compile(r"\b(?:settings?|locations?|places?|facilities)\s*(?:include|includes|including|such\s+as|are|:)\s*",
               re.I),
    re.compile(r"^\s*(?:in|at)\s+(?!(?:some|most|many|rare|certain|all)\s+cases)", re.I),
)
# Words that end the list of places: what follows is manner, reason or condition.
_CUT = re.compile(
    r"\s+(?:under|with|using|by|where|when|which|that|who|depending|as|due|because|if|for|to|so"
    r"|but|after|before|while|unless|although|though|since|via|on\s+(?!an?\s+outpatient))\b.*$"
    r"|\s*[.;:!?](?:\s.*)?$|\s+[-–—]\s.*$",
    re.I,
)
_LEAD_WORDS = re.compile(
    r"^(?:(?:either|or|and|in|at|an?|the|some|most|many|usually|typically|often|sometimes|occasionally"
    r"|generally|mostly|mainly|primarily|also|commonly|rarely|frequently)\s+)+", re.I)
_BASIS = re.compile(r"^(?:on\s+)?(?:an?\s+)?(outpatient|inpatient)\s+basis$", re.I)
# "and" joins two places only when its left side is already a complete place, i.e. ends in
# a place noun ("hospital and clinic"); otherwise it is inside one named place ("labor and
# delivery unit", "urgent care and walk-in clinic"). Such an "and" is masked before splitting.
_PLACE_NOUN = (r"(?:clinics?|cent(?:er|re)s?|hospitals?|offices?|units?|rooms?|homes?|suites?"
               r"|facilit(?:y|ies)|departments?|wards?|labs?|laborator(?:y|ies)|pharmac(?:y|ies)"
               r"|settings?|practices?|bedside|icu|er|ed|pacu)")
_ENDS_IN_PLACE = re.compile(rf"\b{_PLACE_NOUN}\W*$", re.I)
_AND = re.compile(r"\s+and\s+", re.I)
_MASK = "\ue000"  # private-use character: never in page text, not whitespace, so no splitter cuts it


def _mask_inner_and(text: str) -> str:
    return _AND.sub(lambda m: m.group() if _ENDS_IN_PLACE.search(text, 0, m.start())
                    else m.group().replace(" ", _MASK), text)


_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_MAX_BARE_WORDS = 6  # a text with no intro verb is taken as a list only when its pieces are this short


def _case(place: str) -> str:
    words = place.split()
    first = words[0]
    if first[:1].isupper() and first[1:] == first[1:].lower() and not any(w[:1].isupper() for w in words[1:]):
        return first[0].lower() + place[1:]
    return place


def clean_place(text: str) -> str:
    """One place as an item: marker, leading articles and trailing punctuation off, case rule on."""
    place = _BASIS.sub(r"\1", strip_marker(text).strip(" .;,:"))
    place = _LEAD_WORDS.sub("", place).strip()
    return _case(place) if place else ""


def _places_in_sentence(sentence: str) -> list[str]:
    sentence = _mask_inner_and(sentence)
    intro = next((m for m in (p.search(sentence) for p in _INTROS) if m), None)
    if intro is None:
        pieces = [p for piece in split_list(sentence) for p in split_conjunctions(piece)]
        return [] if any(len(p.split()) > _MAX_BARE_WORDS for p in pieces) else pieces
    places = split_list(_CUT.sub("", sentence[intro.end():]))
    return [p for piece in places for p in split_conjunctions(piece)]


def split_settings(text: str | list[str]) -> list[str]:
    """The places named in a setting text (sentences) or in setting items (one place each)."""
    if isinstance(text, list):
        return _distinct(text)
    return list(_places_in_text(text))


@lru_cache(maxsize=4096)  # pure, and a site prints the same setting sentences on page after page
def _places_in_text(text: str) -> tuple[str, ...]:
    """`split_settings` of a text, as a tuple so a kept answer cannot be changed by a caller."""
    return tuple(_distinct([p for s in _SENTENCES.split(text) for p in _places_in_sentence(s)]))


def _distinct(candidates: list[str]) -> list[str]:
    """Each candidate as a place (see `clean_place`), empty and repeated ones dropped."""
    out: list[str] = []
    for candidate in candidates:
        place = clean_place(candidate.replace(_MASK, " "))
        if place and place not in out:
            out.append(place)
    return out
