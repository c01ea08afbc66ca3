"""Plain-text pages (like the seed) → `ParsedPage`: label lines become headings, bullets items.

A line is a heading when it is a known section label (`transform.headings`), a short
"Label:" line, or a short title-case line standing alone between blank lines. Before the
first known heading every line is lead (site furniture included): the transform stage
picks the title and code from lead and hints, not this parser. The line helpers at the
bottom (`strip_marker`, `looks_like_system_label`) are shared with the HTML parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extract.document import Block, CodeHint, ParsedPage, Section
from extract.selectors import (
    CHROME_LINES, CODE_SYSTEM_WORDS, LABEL_HINT_MAX_WORDS, LABEL_MAX_WORDS, LIST_MARKER,
    NUMBERED_MARKER, SITE_FURNITURE_LINES, UNDERLINE_LINE,
)
from transform.headings import heading_key
from transform.text import normalize_inline

_SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or",
                          "the", "to", "with", "vs", "from", "into", "per", "via"})
_TERMINAL = (".", ",", ";", "!")
_SENTENCE_END = (".", "!", "?", ":", ";")
_CODE_TOKEN = re.compile(r"\b(?=[\w.]*\d)[A-Za-z0-9][\w.]{2,}\b")
_LABEL_VALUE = re.compile(r"^([^:]{2,60}):\s+(\S.*)$")
_BARE_CODE = re.compile(r"^[A-Z0-9][\w.-]{2,9}$")
# A label alone on its line that opens no section of its own: it introduces the list below it.
_LEAD_IN = re.compile(r"\b(?:include|includes|including|are|is|was|were|will|may|can|should|must|such as"
                      r"|following|these|this|below|as follows)$", re.I)
# Markdown written as plain text: "## Heading" marks and **strong** / __strong__ / *em* around words.
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=\S)\*(?![\w*])")


def strip_markdown(line: str) -> str:
    """A line without the Markdown marks a reader does not read: heading hashes, emphasis stars."""
    line = _MD_HEADING.sub("", line)
    return _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(3), line) if "*" in line or "__" in line else line


def strip_marker(text: str) -> str | None:
    """The text after a list marker (`•`, `-`, `1.`, `(a)`, `Step 2:` …), or None if unmarked.
    Kept per short text: list items recur across a site's pages ("Bruising", "Bleeding"), and
    the marker pattern tries a dozen alternatives before it fails on one."""
    return _strip_marker_short(text) if len(text) <= _SHORT else _strip_marker(text)


def _strip_marker(text: str) -> str | None:
    match = LIST_MARKER.match(text)
    if match is None:
        return None
    rest = text[match.end():].strip()
    return rest or None


_SHORT = 100  # (as `transform.text.normalize_inline`: longer texts are paragraphs, which rarely recur)
_strip_marker_short = lru_cache(maxsize=8192)(_strip_marker)


def looks_like_system_label(text: str) -> bool:
    """A short text naming a code system ("CPT4 code", "ICD-10-CM Diagnosis Code")."""
    return len(text.split()) <= LABEL_HINT_MAX_WORDS and CODE_SYSTEM_WORDS.search(text) is not None


def heading_label(text: str) -> str:
    """A label as printed, without the colon that introduces its value."""
    return text.strip().rstrip(":").strip()


def is_title_case(text: str) -> bool:
    """Every significant word capitalized ("Patient Experience", "Risks of the Procedure")."""
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    if not words or not text[0].isupper():
        return False
    return all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)


@dataclass
class _State:
    page: ParsedPage = field(default_factory=ParsedPage)
    section: Section | None = None
    section_known: bool = False
    blank_before: bool = True
    last: Block | None = None
    last_indent: int = 0
    item_indents: list[int] = field(default_factory=list)


def _open(state: _State, heading: str, known: bool) -> None:
    state.section = Section(heading=normalize_inline(heading_label(heading)))
    state.section_known = known
    state.page.sections.append(state.section)
    state.last, state.item_indents = None, []


def _add(state: _State, block: Block, indent: int) -> None:
    if state.section is None:
        state.page.lead.append(block.text)
    else:
        state.section.blocks.append(block)
    state.last, state.last_indent = block, indent


def _is_known_label(line: str) -> bool:
    """A line that is only a known section label ("Summary", "Risks:"), or one with its value."""
    label_value = _LABEL_VALUE.match(line)
    label = heading_label(label_value.group(1) if label_value else line)
    return (bool(label) and len(label.split()) <= LABEL_MAX_WORDS and not label.endswith(_TERMINAL)
            and heading_key(label, fuzzy=False) is not None)


def _heading_kind(line: str, state: _State, has_next: bool, blank_after: bool = False,
                  underlined: bool = False) -> str | None:
    """`known`, `unknown` or None (not a heading) for a stripped, unmarked line."""
    label = heading_label(line)
    if not label or len(label.split()) > LABEL_MAX_WORDS or label.endswith(_TERMINAL):
        return None
    if heading_key(label, fuzzy=False) or (line.endswith(":") and heading_key(label)):
        return "known"
    if looks_like_system_label(label):
        return None
    if underlined and state.section is not None:
        return "known" if heading_key(label) else "unknown"
    if state.blank_before and blank_after and has_next and label[:1].isupper() and heading_key(label):
        return "known"  # a sentence-case label alone on its line: "Where it is provided", "Also called"
    if state.section is None:
        return None  # lead stays lead until a heading we recognise
    if line.endswith(":"):
        # Inside a known section only a label set off from its content by a blank line
        # ("Code also:") opens its own; one right under the heading is a sub-label ("Common:").
        opens = not state.section_known or (
            state.blank_before and bool(state.section.blocks) and not _LEAD_IN.search(label))
        return "unknown" if has_next and opens else None
    if is_title_case(label) and state.blank_before and has_next:
        return "known" if heading_key(label) else "unknown"
    return None


def _continues(state: _State, line: str, indent: int) -> bool:
    """Whether an unmarked line is the wrapped tail of the previous block."""
    last = state.last
    if last is None or state.blank_before:
        return False
    if last.kind == "item" and indent > state.last_indent:
        return True
    return not last.text.endswith(_SENTENCE_END) and line[:1].islower()


def _item(state: _State, text: str, indent: int) -> None:
    """An item nested by indentation: deeper than the run's previous items → depth + 1."""
    while state.item_indents and state.item_indents[-1] > indent:
        state.item_indents.pop()
    if not state.item_indents or state.item_indents[-1] < indent:
        state.item_indents.append(indent)
    _add(state, Block(text, "item", len(state.item_indents) - 1), indent)


def _line(state: _State, raw: str, has_next: bool, blank_after: bool = False, underlined: bool = False) -> None:
    line = strip_markdown(normalize_inline(raw))
    indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
    if state.section is not None and CHROME_LINES.match(line):
        return
    if looks_like_system_label(line):
        state.page.hints.append(CodeHint("label", line))
    item = strip_marker(line)
    if item is not None and NUMBERED_MARKER.match(line) and _is_known_label(item):
        line, item = item, None  # a numbered section heading ("2. Purpose"), not a step
    if item is not None:
        _item(state, item, indent)
        return
    label_value = _LABEL_VALUE.match(line)
    if label_value and heading_key(label_value.group(1), fuzzy=False):
        _open(state, label_value.group(1), True)
        _add(state, Block(label_value.group(2)), indent)
        return
    kind = _heading_kind(line, state, has_next, blank_after, underlined)
    if kind is not None:
        _open(state, line, kind == "known")
        return
    if _continues(state, line, indent):
        state.last.text = normalize_inline(f"{state.last.text} {line}")
        if state.section is None:
            state.page.lead[-1] = state.last.text
        return
    state.item_indents = []
    _add(state, Block(line), indent)


def _names_a_code(line: str) -> bool:
    """A code-system label printed with a code ("ICD-10-PCS 0SR90J9", "CPT code 64721")."""
    return looks_like_system_label(line) and _CODE_TOKEN.search(CODE_SYSTEM_WORDS.sub(" ", line)) is not None


def _may_describe(line: str) -> bool:
    """Whether a lead line can be the descriptor: not furniture, a system label or a bare code."""
    return not (CHROME_LINES.match(line) or SITE_FURNITURE_LINES.match(line)
                or looks_like_system_label(line) or _BARE_CODE.match(line))


def pick_descriptor(lead: list[str]) -> str | None:
    """The line printed next to the code's label (just after "ICD-10-PCS 0SR90J9", or just
    before "Code: 99214 (CPT®)"), else next to a bare system label ("CPT4 code"), else the
    first lead line that is neither site furniture nor a code-system label."""
    for is_label in (_names_a_code, looks_like_system_label):
        for i, line in enumerate(lead):
            if is_label(line):
                for near in lead[i + 1:i + 2] + lead[max(i - 1, 0):i]:
                    if _may_describe(near):
                        return near
    for line in lead:
        if _may_describe(line):
            return line
    return lead[0] if lead else None


def parse_text(text: str) -> ParsedPage:
    """Parse a plain-text page; never raises on odd input (empty text → empty page)."""
    state = _State()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    content = [bool(normalize_inline(line)) and not UNDERLINE_LINE.match(line) for line in lines]
    remaining = sum(content)
    for index, raw in enumerate(lines):
        if not content[index]:
            state.blank_before = True  # an underline or rule separates like a blank line
            continue
        remaining -= 1
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        underlined = UNDERLINE_LINE.match(nxt) is not None
        _line(state, raw, has_next=remaining > 0, blank_after=not nxt.strip() or underlined,
              underlined=underlined)
        state.blank_before = False
    page = state.page
    page.descriptor = pick_descriptor(page.lead)
    page.hints.extend(CodeHint("lead", line) for line in page.lead)
    return page
