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

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from operator import itemgetter

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


def _floor(where: str) -> int:
    """The best rank a reading of a hint found at `where` can have (see `_read`)."""
    if where.startswith("jsonld"):
        return RANKS["jsonld"]  # its code fields; its text fields rank as `title`
    if where.startswith("meta:"):
        return RANKS["meta"]
    if where in ("url", "filename"):
        return RANKS["url"]
    return RANKS.get(where, _LOWEST)


Source = tuple[int, Callable[[], list[Evidence]]]
_RANK_THEN_PLACE = itemgetter(0, 1)  # of a tagged reading (rank, source index, evidence)


def _sources(parsed: ParsedPage, raw_url: str) -> list[Source]:
    """The places readings come from, in page order, each with the best rank it can yield.
    Breadcrumb hints (one per crumb) are read as one trail, so its last code-naming crumb wins."""
    sources: list[Source] = []
    if parsed.descriptor:
        sources.append((RANKS["descriptor"], partial(from_text, "descriptor", parsed.descriptor)))
    crumbs = [h.text for h in parsed.hints if h.where == "breadcrumb" and h.text]
    if crumbs:
        sources.append((RANKS["breadcrumb"], partial(from_breadcrumb, "breadcrumb", " › ".join(crumbs))))
    for hint in parsed.hints:
        if hint.text and hint.where != "breadcrumb":
            sources.append((_floor(hint.where), partial(_read, hint.where, hint.text)))
    sources.append((RANKS["url"], partial(from_url, raw_url)))
    return sources


def _stages(parsed: ParsedPage, raw_url: str) -> Iterator[tuple[int, list[Evidence]]]:
    """The page's readings, read best-ranked place first: after each step, (the rank up to
    which no unread place can add a reading, the readings so far best-ranked first with
    page order within a rank). The last step holds every reading (`_LOWEST`)."""
    sources = _sources(parsed, raw_url)
    order = sorted(range(len(sources)), key=lambda i: sources[i][0])
    tagged: list[tuple[int, int, Evidence]] = []
    for n, i in enumerate(order):
        tagged.extend((_rank(ev), i, ev) for ev in sources[i][1]())
        following = sources[order[n + 1]][0] if n + 1 < len(order) else _LOWEST + 1
        if following > sources[i][0]:
            tagged.sort(key=_RANK_THEN_PLACE)
            yield following - 1, [ev for _, _, ev in tagged]


def collect_evidence(parsed: ParsedPage, raw_url: str) -> list[Evidence]:
    """Every reading of the page, best-ranked first (page order within a rank)."""
    *_, (_, readings) = _stages(parsed, raw_url)
    return readings


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


def _taken(system_ev: Evidence, code_ev: Evidence) -> str | None:
    """The system under which `system_ev` takes `code_ev` as the page's code, or None."""
    system = _system_for(system_ev, code_ev.code)
    trusted = code_ev.explicit and _rank(code_ev) <= TRUSTED_RANK
    return system if system and (trusted or fits(system, code_ev.code)) else None


def _page_preferred(system: str, systems: list[Evidence], code: str) -> str:
    """A system the page also names that `CO_NAMED` prefers for this code: a page that says
    "CDT code D2740" and, elsewhere, "HCPCS Level II" publishes a HCPCS D-code."""
    named = {option for e in systems for option in e.options} - {system}
    for other in sorted(named):
        if CO_NAMED.get(frozenset({system, other})) == other and fits(other, code):
            return other
    return system


# Systems `_page_preferred` may replace: only for these does the answer depend on every system
# the page names, so only for these must every place be read.
_SWAYABLE = frozenset(s for pair, winner in CO_NAMED.items() for s in pair if s != winner)


def _match(system: str, system_ev: Evidence, code_ev: Evidence, systems: list[Evidence]) -> CodeMatch:
    system = _page_preferred(system, systems, code_ev.code)
    return CodeMatch(system, canonical_code(system, code_ev.code), system_ev.where, code_ev.where)


def _system_order(ev: Evidence) -> tuple[int, bool]:
    """Best-ranked first; within a rank a reading that pairs system and code first."""
    return _rank(ev), not ev.paired


def _systems(readings: list[Evidence]) -> list[Evidence]:
    return sorted((e for e in readings if e.options), key=_system_order)


def _settled(readings: list[Evidence], complete: int) -> CodeMatch | None:
    """`detect_code`'s answer when the readings up to rank `complete` already decide it, else
    None. They do when the best-ranked system reading is among them and takes one of their
    codes ranked above the URL's (every code ranked before it is then known too, and no
    address code is dropped ahead of it), unless the page's other systems could sway it."""
    systems = [e for e in readings if e.options]  # (`_match` reads them in any order)
    if not systems:
        return None
    best = min(systems, key=_system_order)  # the first of `_systems`, without sorting them all
    if _rank(best) > complete:
        return None
    limit = min(complete, RANKS["url"] - 1)
    for code_ev in (e for e in readings if e.code):
        if _rank(code_ev) > limit:
            return None
        system = _taken(best, code_ev)
        if system:
            return None if system in _SWAYABLE else _match(system, best, code_ev, systems)
    return None


def detect_code(parsed: ParsedPage, raw_url: str) -> CodeMatch | Reason:
    """The page's (system, code), or why it has none: `CODE_NOT_FOUND` / `CODE_SYSTEM_NOT_FOUND`.

    Places are read best-ranked first and reading stops once the answer is settled: on most
    pages the JSON-LD or the main heading decides it, and the rest would be read for nothing."""
    for complete, readings in _stages(parsed, raw_url):
        settled = _settled(readings, complete) if complete < _LOWEST else None
        if settled:
            return settled
    codes = [e for e in readings if e.code]
    systems = _systems(readings)
    if not codes:
        return Reason.CODE_NOT_FOUND
    printed = any(e.explicit and _rank(e) < RANKS["url"] for e in codes)
    if printed:  # the address never invents a code the page itself prints as a code
        codes = [e for e in codes if _rank(e) < RANKS["url"]]
    for system_ev in systems:
        for code_ev in codes:
            system = _taken(system_ev, code_ev)
            if system:
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
