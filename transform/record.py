"""One parsed page → its contract rows (`codes`, `sections`, `related_codes`), or why not.

Conventions the golden records are written to:
- title: the long descriptor as printed, minus a code and system label the heading prints
  around it; when the descriptor is only a code, the first substantive lead line.
- scalar fields: the section's blocks joined with "\\n" (sections sharing a key are merged in
  page order); None when absent or empty.
- list fields: the section's items (nested ones too) in page order, or, when it has none,
  the phrases of a lone one-sentence paragraph of short phrases, else one item per paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extract.document import ParsedPage, Section
from extract.rawpage import RawPage
from extract.selectors import CHROME_LINES, DESCRIPTOR_LABEL
from schemas.reasons import QuarantineEntry, Reason, Stage
from schemas.tables import columns
from transform import code_systems as cs
from transform.code_detect import CodeMatch, detect_code, heading_codes, main_headings
from transform.code_evidence import TOKEN, leading_code
from transform.codes import LABEL_RE, canonical_code, license_for, may_name_system
from transform.durations import parse_duration
from transform.headings import heading_key
from transform.lists import split_phrases, strip_marker
from transform.places import split_settings
from transform.related import related_rows
from transform.risks import split_risks
from transform.text import normalize_inline

CODE_COLUMNS: tuple[str, ...] = tuple(columns("codes"))
SCALAR_KEYS = ("name", "summary", "purpose", "duration", "setting", "patient_experience")
LIST_KEYS = ("indications", "preparation", "procedure_steps", "personnel", "benefits", "recovery",
             "alternatives")

_LABEL_PART = rf"(?:{LABEL_RE.pattern})[®™©*]?\s*(?:(?:diagnosis|procedure)\s+)?(?:codes?\s*)?[:#]?\s*"
# A leading code with its label before or after it ("CPT 99213:", "J3301 HCPCS").
_TITLE_HEAD = re.compile(
    rf"^\W*(?:{_LABEL_PART})?(?P<code>{TOKEN})(?![A-Za-z0-9])\s*(?:[-–—:|]\s*)?"
    rf"(?:(?:{LABEL_RE.pattern})[®™©*]?(?:\s+codes?)?(?:\s*[-–—:|])?\s+)?", re.I)
_BADGE_TAIL = re.compile(r"(?:\s+(?:" + "|".join(map(re.escape, cs.STATUS_BADGES)) + r"))+\s*$")
# A site name after the title in `<title>` / og:title ("… | MedCodes", "… - Code Lookup").
_SITE_SUFFIX = re.compile(r"\s+(?:\|\s+[^|]{1,60}|[-–—]\s+(?:[A-Z0-9][\w.&']*\s*){1,3})$")
# One alternation: it fullmatches exactly when one of the headings does, in one call.
_NOT_FOUND = re.compile("|".join(f"(?:{p})" for p in cs.NOT_FOUND_HEADINGS), re.I)
_TITLE_TAIL = re.compile(rf"\s*[-–—:|(\[]\s*(?:{_LABEL_PART})?(?P<code>{TOKEN})[)\]]?\s*$", re.I)
_LABEL_HEAD = re.compile(rf"^\s*(?:{LABEL_RE.pattern})[®™©*]?\s*(?:codes?)?(?:\s*[:–—|]|\s+-)\s+", re.I)
_NAME_LABEL = re.compile(
    r"^(?:name\s+of\s+(?:the\s+)?(?:procedure|service|test)|(?:procedure|common|short|service)\s+name"
    r"|name)\s*:\s*", re.I)
# Words that accompany a system label and make no title ("Billable ICD-10-CM diagnosis code").
_LABEL_WORDS = re.compile(
    r"\b(?:billable|non-billable|valid|codes?|code\s+set|diagnosis|procedure|dental|level|category"
    r"|[IV]{1,3}|lookup|search|description)\b", re.I)
# Only these labels name *the* descriptor; a bare "Description" section is prose.
_LONG_LABEL = re.compile(r"^(?:long|full)\s+descript(?:or|ion)$", re.I)
_MIN_TITLE_LETTERS = 3
_LONG_TITLE = 80  # longer than any label-and-code line: no need to look for labels in it
_TAIL_WINDOW = 80


@dataclass
class PageRecord:
    """The rows one page contributes: its `codes` row, its sections and its related codes."""

    code_row: dict
    section_rows: list[dict]
    related_rows: list[dict]


def _strip_code(text: str, match: CodeMatch) -> str:
    """The descriptor without the page's code (and the label printed with it) at either end."""
    head = _TITLE_HEAD.match(text)
    if head and canonical_code(match.system, head.group("code")) == match.code:
        text = text[head.end():]
    offset = max(len(text) - _TAIL_WINDOW, 0)  # a trailing code sits in the last few characters
    tail = _TITLE_TAIL.search(text, offset)
    if tail and canonical_code(match.system, tail.group("code")) == match.code:
        text = text[: tail.start()]
    return _LABEL_HEAD.sub("", text).strip()


def _substantive(text: str) -> bool:
    """Not empty, not site furniture, not a bare code-system label ("CPT4 code")."""
    if len(text) > _LONG_TITLE:
        return True
    unlabelled = LABEL_RE.sub("", text) if may_name_system(text) else text
    letters = sum(map(str.isalpha, _LABEL_WORDS.sub("", unlabelled)))
    return letters >= _MIN_TITLE_LETTERS and not CHROME_LINES.match(text)


def _titled_hint(text: str, match: CodeMatch) -> str | None:
    """The descriptor after the page's code in a `<title>` / og:title ("CPT 93306: Echo… |
    Site" → "Echo…"); None unless the text starts with that code."""
    text = _SITE_SUFFIX.sub("", normalize_inline(text))
    head = _TITLE_HEAD.match(text)
    if not head or canonical_code(match.system, head.group("code")) != match.code:
        return None
    title = _strip_code(text, match)
    return title if _substantive(title) else None


def _is_descriptor_label(text: str, label: re.Pattern = DESCRIPTOR_LABEL) -> bool:
    return bool(label.match(text.rstrip(" :")))


@lru_cache(maxsize=4096)  # asked about every section heading of every page; headings recur
def _labels_long_descriptor(heading: str) -> bool:
    return _is_descriptor_label(normalize_inline(heading), _LONG_LABEL)


def _labelled_descriptor(parsed: ParsedPage) -> str | None:
    """The text after a "Long descriptor" label (a lead line or a section heading): the page
    says outright that it is the descriptor, so it beats a short form in the heading."""
    lead = [normalize_inline(line) for line in parsed.lead]
    for label, value in zip(lead, lead[1:]):
        if _is_descriptor_label(label, _LONG_LABEL) and value and not _is_descriptor_label(value):
            return value
    for section in parsed.sections:
        if _labels_long_descriptor(section.heading):
            texts = [normalize_inline(b.text) for b in section.blocks if b.kind == "text"]
            if texts and texts[0]:
                return texts[0]
    return None


def find_title(parsed: ParsedPage, match: CodeMatch) -> str | None:
    """The long descriptor as printed (minus a trailing status badge), else the first
    substantive lead line when it is only a code, else the descriptor a `<title>` or
    og:title prints after the code."""
    labelled = _labelled_descriptor(parsed)
    if labelled:
        return labelled
    candidates = [(True, parsed.descriptor)] if parsed.descriptor else []
    for is_heading, candidate in candidates + [(False, line) for line in parsed.lead]:
        title = _strip_code(normalize_inline(candidate), match)
        if _is_descriptor_label(title):
            continue
        if is_heading:
            title = _BADGE_TAIL.sub("", title)
        if _substantive(title):
            return title
    for hint in parsed.hints:
        if hint.text and (hint.where == "title" or hint.where.startswith("meta:") and hint.where.endswith("title")):
            title = _titled_hint(hint.text, match)
            if title:
                return title
    return None


def says_not_found(parsed: ParsedPage) -> bool:
    """A soft-404: the main heading says the code (or page) was not found."""
    for text in main_headings(parsed):
        heading = normalize_inline(text).strip(" .!:-–—")
        if _NOT_FOUND.fullmatch(heading):
            return True
    return False


Blocks = list[tuple[str, str]]


def _blocks(section: Section) -> Blocks:
    """(kind, normalized text) of each non-empty block; items without their markers."""
    out = []
    for block in section.blocks:
        text = strip_marker(block.text) if block.kind == "item" else normalize_inline(block.text)
        if text:
            out.append((block.kind, text))
    return out


def _items(blocks: Blocks) -> list[str]:
    return [t for kind, t in blocks if kind == "item"]


def _scalar(parts: list[Blocks]) -> str | None:
    return "\n".join(t for blocks in parts for _, t in blocks) or None


def _list(found: list[tuple[Section, Blocks]]) -> list[str]:
    """Items; else a lone paragraph of short phrases cut into them; else one per paragraph."""
    out: list[str] = []
    for section, blocks in found:
        texts = [t for _, t in blocks]
        key = heading_key(section.heading)
        phrases = split_phrases(texts[0], lambda label: heading_key(label) == key) if len(texts) == 1 else None
        out.extend(_items(blocks) or phrases or texts)
    return out


def _settings(parts: list[Blocks]) -> list[str]:
    out: list[str] = []
    for blocks in parts:
        for place in split_settings(_items(blocks) or "\n".join(t for _, t in blocks)):
            if place not in out:
                out.append(place)
    return out


def _content(by_key: dict[str, list[tuple[Section, Blocks]]]) -> dict:
    parts = {key: [blocks for _, blocks in found] for key, found in by_key.items()}
    values: dict = {k: _scalar(parts.get(k, [])) for k in SCALAR_KEYS}
    values.update({k: _list(by_key.get(k, [])) for k in LIST_KEYS})
    if values["name"]:
        values["name"] = _NAME_LABEL.sub("", values["name"]) or None
    values["duration_min_minutes"], values["duration_max_minutes"] = parse_duration(values["duration"])
    values["settings"] = _settings(parts.get("setting", []))
    common, rare = [], []
    for section, _ in by_key.get("risks", []):
        c, r = split_risks(section)
        common.extend(c)
        rare.extend(r)
    values["risks_common"], values["risks_rare"] = common, rare
    return values


def _section_row(match: CodeMatch, ordinal: int, section: Section, key: str | None, blocks: Blocks) -> dict:
    return {
        "code_system": match.system, "code": match.code, "ordinal": ordinal, "key": key,
        "heading": normalize_inline(section.heading).rstrip(":").rstrip(),
        "text": "\n".join(t for _, t in blocks),
        "items": _items(blocks),
    }


def _quarantine(raw: RawPage, reason: Reason, detail: str) -> QuarantineEntry:
    return QuarantineEntry(source_url=raw.url, stage=Stage.PARSE.value, reason=reason.value, detail=detail,
                           content_sha256=raw.sha256, seen_at=raw.fetched_at)


_DETAILS = {
    Reason.CODE_NOT_FOUND: "no code in heading, title, URL, file name, breadcrumb, meta tags or JSON-LD",
    Reason.CODE_SYSTEM_NOT_FOUND: "a code-shaped value was found but nothing on the page names its code system",
}


INDEX_PAGE_MIN_CODES = 5  # a page with no sections that lists this many codes is an index


def listed_codes(parsed: ParsedPage) -> set[str]:
    """Codes that start lines of a page with no sections: an index or search-result page
    lists many codes and describes none, so no single code is *the page's* code."""
    if parsed.sections:
        return set()
    return {code.upper() for code in map(leading_code, parsed.lead) if code}


def _reasons_as_indications(cut: list) -> list:
    """A "Why it is done" section that is only a list, on a page with no indications section,
    lists the conditions the procedure is for: a reader files it under indications."""
    keys = {key for _, key, _ in cut}
    if "indications" in keys:
        return cut
    return [
        (s, "indications", b) if key == "purpose" and s.blocks and all(x.kind == "item" for x in s.blocks)
        else (s, key, b)
        for s, key, b in cut
    ]


def build_record(parsed: ParsedPage, raw: RawPage) -> PageRecord | QuarantineEntry:
    """The page's rows, or a `parse`-stage quarantine entry (no code, no system, no title)."""
    listed = listed_codes(parsed)
    if len(listed) >= INDEX_PAGE_MIN_CODES:
        return _quarantine(raw, Reason.CODE_NOT_FOUND,
                           f"the page lists {len(listed)} codes and describes none (an index page)")
    if says_not_found(parsed):
        return _quarantine(raw, Reason.CODE_NOT_FOUND, "the page says the code was not found")
    named = heading_codes(parsed)
    if len({s for s, _ in named}) > 1 and len({c for _, c in named}) > 1:
        listed_pairs = ", ".join(f"{s} {c}" for s, c in named)
        return _quarantine(raw, Reason.CODE_NOT_FOUND, f"the page names two codes ({listed_pairs})")
    match = detect_code(parsed, raw.url)
    if isinstance(match, Reason):
        return _quarantine(raw, match, _DETAILS.get(match, match.value))
    title = find_title(parsed, match)
    if title is None:
        return _quarantine(raw, Reason.TITLE_NOT_FOUND, f"no descriptor printed for {match.system} {match.code}")
    cut = _reasons_as_indications([(s, heading_key(s.heading), _blocks(s)) for s in parsed.sections])
    by_key: dict[str, list[tuple[Section, Blocks]]] = {}
    for section, key, blocks in cut:
        if key and section.context is None:  # a section under another code's heading is not this code's
            by_key.setdefault(key, []).append((section, blocks))
    values = _content(by_key)
    values.update(
        code_system=match.system, code=match.code, title=title, license=license_for(match.system, match.code),
        source_url=raw.url, content_sha256=raw.sha256, fetched_at=raw.fetched_at,
    )
    return PageRecord(
        code_row={c: values[c] for c in CODE_COLUMNS},
        section_rows=[_section_row(match, i, s, k, b) for i, (s, k, b) in enumerate(cut)],
        related_rows=related_rows(parsed, match.system, match.code),
    )
