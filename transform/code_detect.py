"""Which code a page is about, and in which system: read from what the page says, never guessed.

Priority when places disagree (lower wins), for the system and for the code alike:
  0 JSON-LD code fields · 1 meta code fields · 2 the main heading (h1 / descriptor) ·
  3 `<title>` and other meta/JSON-LD text · 4 breadcrumb · 5 code-system labels ·
  6 other headings and lead text · 7 URL path and query · 8 file name.
Within a rank a reading that pairs system and code beats a bare system. Systems are tried
best-ranked first, each with the codes best-ranked first; the first code that fits the system's
format wins, except that a code printed as a code (after a label or in a code field) at rank 3
or better is taken even when malformed, so "ICD-10-CM R10.99999" in the h1 is not replaced by a
well-formed "R10" spotted in the file name. When none fits any, the best-ranked system and code are returned as printed (the
schema stage then quarantines them as `schema:code_format`). A code with no system named anywhere is
`code_system_not_found`, never a system inferred from the code's shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from extract.document import ParsedPage
from schemas.reasons import Reason
from transform.code_evidence import Evidence, from_breadcrumb, from_structured, from_text, from_url
from transform.code_systems import CO_NAMED
from transform.codes import canonical_code, fits, resolve_family

RANKS: dict[str, int] = {
    "jsonld": 0, "meta": 1, "h1": 2, "descriptor": 2, "title": 3, "jsonld:text": 3, "meta:text": 3,
    "breadcrumb": 4, "label": 5, "heading": 6, "lead": 6, "url": 7, "filename": 8,
}
_LOWEST = max(RANKS.values()) + 1
# A code printed as a code this high on the page is the page's code even when malformed (the
# schema stage quarantines it); lower down, a code must fit its system to be taken.
TRUSTED_RANK = RANKS["title"]


@dataclass(frozen=True)
class CodeMatch:
    """The page's code in canonical form, and where the system and the code were read."""

    system: str
    code: str
    system_source: str
    code_source: str


def _read(where: str, text: str) -> list[Evidence]:
    if where.startswith(("jsonld", "meta:")):
        return from_structured(where, text)
    if where == "breadcrumb":
        return from_breadcrumb(where, text)
    if where in ("url", "filename"):
        return from_url(text)
    return from_text(where, text)


def collect_evidence(parsed: ParsedPage, raw_url: str) -> list[Evidence]:
    """Every reading of the page, best-ranked first (page order within a rank). Breadcrumb
    hints (one per crumb) are read as one trail, so its last code-naming crumb wins."""
    readings: list[Evidence] = []
    if parsed.descriptor:
        readings.extend(from_text("descriptor", parsed.descriptor))
    crumbs = [h.text for h in parsed.hints if h.where == "breadcrumb" and h.text]
    if crumbs:
        readings.extend(from_breadcrumb("breadcrumb", " › ".join(crumbs)))
    for hint in parsed.hints:
        if hint.text and hint.where != "breadcrumb":
            readings.extend(_read(hint.where, hint.text))
    readings.extend(from_url(raw_url))
    return sorted(readings, key=_rank)


def _rank(ev: Evidence) -> int:
    return RANKS.get(ev.where, _LOWEST)


def _system_for(system_ev: Evidence, code: str) -> str | None:
    """The system a reading gives this code: its own, or of the systems it names together the
    one the code fits (a tie is settled by `CO_NAMED`, else there is no answer)."""
    options = [resolve_family(system_ev.ambiguous, s, code) for s in system_ev.options]
    if len(options) == 1:
        return options[0]
    fitting = [s for s in options if fits(s, code)]
    if len(fitting) == 1:
        return fitting[0]
    return CO_NAMED.get(frozenset(fitting))


def _page_preferred(system: str, systems: list[Evidence], code: str) -> str:
    """A system the page also names that `CO_NAMED` prefers for this code: a page that says
    "CDT code D2740" and, elsewhere, "HCPCS Level II" publishes a HCPCS D-code."""
    named = {option for e in systems for option in e.options} - {system}
    for other in sorted(named):
        if CO_NAMED.get(frozenset({system, other})) == other and fits(other, code):
            return other
    return system


def _match(system: str, system_ev: Evidence, code_ev: Evidence, systems: list[Evidence]) -> CodeMatch:
    system = _page_preferred(system, systems, code_ev.code)
    return CodeMatch(system, canonical_code(system, code_ev.code), system_ev.where, code_ev.where)


def detect_code(parsed: ParsedPage, raw_url: str) -> CodeMatch | Reason:
    """The page's (system, code), or why it has none: `CODE_NOT_FOUND` / `CODE_SYSTEM_NOT_FOUND`."""
    readings = collect_evidence(parsed, raw_url)
    codes = [e for e in readings if e.code]
    systems = sorted((e for e in readings if e.options), key=lambda e: (_rank(e), not e.paired))
    if not codes:
        return Reason.CODE_NOT_FOUND
    printed = any(e.explicit and _rank(e) < RANKS["url"] for e in codes)
    if printed:  # the address never invents a code the page itself prints as a code
        codes = [e for e in codes if _rank(e) < RANKS["url"]]
    for system_ev in systems:
        for code_ev in codes:
            system = _system_for(system_ev, code_ev.code)
            trusted = code_ev.explicit and _rank(code_ev) <= TRUSTED_RANK
            if system and (trusted or fits(system, code_ev.code)):
                return _match(system, system_ev, code_ev, systems)
    single = next((e for e in systems if e.system), None)
    if single is None:
        return Reason.CODE_SYSTEM_NOT_FOUND
    return _match(_system_for(single, codes[0].code), single, codes[0], systems)


def main_headings(parsed: ParsedPage) -> list[str]:
    """The texts of the page's main heading: the descriptor and any h1."""
    return [t for t in (parsed.descriptor, *(h.text for h in parsed.hints if h.where == "h1")) if t]


def heading_codes(parsed: ParsedPage) -> list[tuple[str, str]]:
    """The distinct (system, code) pairs the main heading prints as codes, in page order: a
    heading naming two ("CPT 27447 / HCPCS C1776") is about no single code."""
    found: dict[tuple[str, str], None] = {}
    for text in main_headings(parsed):
        for ev in from_text("h1", text):
            if ev.system and ev.code and ev.explicit:
                system = resolve_family(ev.ambiguous, ev.system, ev.code)
                found.setdefault((system, canonical_code(system, ev.code)), None)
    return list(found)
