"""Links between codes: "Similar Codes" and like sections → `related_codes` rows.

A related code is read from a section item ("62311 - Injection…", "CPT 62311: title",
"gestational diabetes (O24.4-)") or from a link (its text, then its href). Its system is the
one the item, link text or href names, else the page's own. The relation comes from the
section heading (see `RELATIONS`); links not found in any section are `similar` (parsers
collect them from "Similar Codes"-like sections).
"""

from __future__ import annotations

import re
from functools import lru_cache

from extract.document import ParsedPage
from transform.code_evidence import TOKEN, from_url
from transform.codes import LABEL_RE, canonical_code, fits, label_system, resolve_family
from transform.headings import heading_key, normalize_heading
from transform.lists import strip_marker

SIMILAR = "similar"
# Normalized heading (system names removed) → relation, for headings that name a relation
# other than likeness. Every other heading the pipeline keys `similar_codes` ("Similar Codes",
# "Related Codes", "Similar CPT Codes", "Other codes") is `similar`. A bare "Excludes" is a
# clinical note, not a code link; the ICD tabular notes "Excludes1"/"Excludes2" are links.
RELATIONS: dict[str, str] = {
    "see also": "see_also", "parent code": "parent", "parent codes": "parent", "parent": "parent",
    "child codes": "child", "child code": "child", "subcodes": "child", "sub codes": "child",
    "excludes1": "excludes1", "excludes 1": "excludes1", "excludes2": "excludes2",
    "excludes 2": "excludes2", "code first": "code_first", "use additional code": "use_additional",
    "code also": "code_also", "add on codes": "add_on", "add on code": "add_on",
    "primary procedure codes": "primary", "crosswalk": "crosswalk", "code crosswalk": "crosswalk",
    "replaced by": "replaced_by", "replaces": "replaces", "previous code": "previous",
    "next code": "next",
}

_LEADING = re.compile(
    rf"^\W*(?:(?P<label>{LABEL_RE.pattern})[®™©*]?\s*(?:codes?\s*)?[:#]?\s*)?"
    rf"(?P<code>{TOKEN})(?![A-Za-z0-9])\s*(?:[-–—:|,.]\s*)?(?P<title>.*)$",
    re.I | re.S,
)
_TRAILING_CODES = re.compile(r"^(?P<title>.*?)\s*[(\[](?P<codes>[^()\[\]]*\d[^()\[\]]*)[)\]]\s*\.?$", re.S)
_CODE_LIST = re.compile(rf"(?:(?P<label>{LABEL_RE.pattern})[®™©*]?\s*)?(?P<code>{TOKEN})", re.I)
# "M00-M02" (a range) names many codes, not one, and is not a row. A stem such as "E10.-"
# ("E10 and every code under it", as the tabular notes print it) is a row for the category
# E10 itself: the category is a code, and dropping it would lose the note.
_RANGE = re.compile(r"^[A-Za-z0-9.]*\d[A-Za-z0-9.]*[-–][A-Za-z0-9.]*\d[A-Za-z0-9.]*$")

Candidate = tuple[str | None, str | None, str, str | None]  # (system, family, raw code, title)


@lru_cache(maxsize=4096)  # pure, and every page asks it about each of its (recurring) headings
def relation_for(heading: str) -> str | None:
    """The relation a section heading names, or None when it holds no related codes."""
    norm = normalize_heading(LABEL_RE.sub(" ", heading))
    if norm in RELATIONS:
        return RELATIONS[norm]
    return SIMILAR if heading_key(heading) == "similar_codes" else None


def _names_many(code: str, after: str) -> bool:
    """True for a range ("M00-M02"), which is not one code."""
    return bool(_RANGE.match(code))


def _labelled(label: str | None) -> tuple[str | None, str | None]:
    return label_system(label) if label else (None, None)


def parse_item(text: str, page_system: str) -> list[Candidate]:
    """Codes named by one item or link text: a leading code (with its title) or codes in
    trailing parentheses. An unlabelled code must have the shape of a code."""
    text = strip_marker(text)
    lead = _LEADING.match(text)
    if lead:
        system, family = _labelled(lead.group("label"))
        code = lead.group("code")
        if _names_many(code, text[lead.end("code"):]):
            return []
        if system or fits(page_system, code) or fits(None, code):
            return [(system, family, code, lead.group("title").strip() or None)]
    trailing = _TRAILING_CODES.match(text)
    if trailing:
        out = []
        codes = trailing.group("codes")
        for m in _CODE_LIST.finditer(codes):
            if _names_many(m.group("code"), codes[m.end("code"):]):
                continue
            system, family = _labelled(m.group("label"))
            if system or fits(page_system, m.group("code")) or fits(None, m.group("code")):
                out.append((system, family, m.group("code"), trailing.group("title").strip() or None))
        return out
    return []


def _from_link(text: str, href: str | None, title: str | None, page_system: str) -> list[Candidate]:
    found = parse_item(text, page_system) if text else []
    url_ev = next((e for e in from_url(href) if e.code), None) if href else None
    if not found and url_ev is not None:
        found = [(url_ev.system, url_ev.ambiguous, url_ev.code, text.strip() or None)]
    elif found and url_ev is not None and url_ev.system:
        found = [(s or url_ev.system, f if s else url_ev.ambiguous, c, t) for s, f, c, t in found]
    return [(s, f, c, t or (title.strip() if title else None)) for s, f, c, t in found]


def related_rows(parsed: ParsedPage, system: str, code: str) -> list[dict]:
    """`related_codes` rows of a page whose own code is (`system`, `code`), in page order,
    self-references dropped, one row per (related system, code, relation)."""
    stripped = [strip_marker(text) for text, _, _ in parsed.related_links]
    links = {key: (href, title) for key, (_, href, title) in zip(stripped, parsed.related_links)}
    used: set[str] = set()
    found: list[tuple[Candidate, str]] = []
    for section in parsed.sections:
        relation = relation_for(section.heading)
        if relation is None:
            continue
        for block in section.blocks:
            text = strip_marker(block.text)
            if text in links:
                used.add(text)
                cands = _from_link(text, *links[text], system)
            else:
                cands = parse_item(text, system)
            found.extend((c, relation) for c in cands)
    for key, (text, href, title) in zip(stripped, parsed.related_links):
        if key not in used:
            found.extend((c, SIMILAR) for c in _from_link(text, href, title, system))
    rows: list[dict] = []
    seen: set[tuple[str, str, str]] = set()
    for (rsys, family, raw, title), relation in found:
        rsys = resolve_family(family, rsys or system, raw)
        rcode = canonical_code(rsys, raw)
        if (rsys, rcode) == (system, code) or (rsys, rcode, relation) in seen:
            continue
        seen.add((rsys, rcode, relation))
        rows.append({"code_system": system, "code": code, "related_code_system": rsys,
                     "related_code": rcode, "related_title": title, "relation": relation})
    return rows
