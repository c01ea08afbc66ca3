"""HTML pages → `ParsedPage`: find the content region, drop chrome, cut it into sections.

Three steps, one pass each: `extract.html_hints` reads title/meta/JSON-LD/breadcrumbs; the
region is cleaned of chrome (selectors in `extract.selectors`); `extract.html_walk` turns it
into heading candidates and lines. This module then decides, with the whole page in view,
which candidates are sections:
- `h1`–`h6`, accordion/card headers, `data-section` names: always headings, except an
  unknown sub-heading deeper than the known section it sits in (a "Common" `h4` under
  "Risks"), which stays in that section as a text line;
- terms of a `dl` and first cells of two-column tables: headings when the list/table names
  at least one known section (decided in the walker);
- a bold label alone on its line, or a "Label:" line: a heading when it names a known
  section, or when the page uses that style for known headings and we are not inside one;
- "Label: value" (bold or not): a heading only for a known label — "Note: …" stays text.
The main `h1` is the descriptor; a subtitle right under it (a sentence, or a heading with
nothing of its own) goes to `lead`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from extract.document import Block, CodeHint, ParsedPage, Section
from extract.html_hints import breadcrumb_hints, head_hints, is_breadcrumb, is_jsonld
from extract.html_walk import Event, Heading, Line, Walker, first_named
from extract.selectors import (
    CHROME_CLASS_ID, CHROME_LINES, CHROME_ROLES, CHROME_TAGS, CONTENT_CLASS_ID, CONTENT_ROLES,
    CONTENT_TAGS, DROP_TAGS, LABEL_MAX_WORDS, LOGO_CLASS_ID,
)
from extract.text_parser import (
    heading_label, is_title_case, looks_like_system_label, pick_descriptor, strip_marker,
)
from transform.headings import heading_key

_STRUCTURAL = frozenset({"h", "accordion", "attr", "dt", "th"})
_SECTIONING = ["article", "section", "main"]
_SUBHEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6", "summary"})
_LABEL_SEPARATOR = re.compile(r"^[:\-–—]\s*")


def parse_html(html: str, url: str | None = None) -> ParsedPage:
    """Parse one HTML page. Never returns None; a page with no content gives an empty page."""
    soup = BeautifulSoup(html, "lxml")
    index = _index(soup)
    head = head_hints(index.title, index.metas, index.scripts, index.itemprops)
    crumbs = breadcrumb_hints(index.breadcrumb)
    region, h1 = _region(soup.body or soup, index)
    _drop_chrome(region, h1)
    walker = Walker(url, h1)
    walker.walk(region)
    walker.flush()
    page = _assemble(walker.events)
    title_hints = [h for h in head if h.where == "title"]
    other_head = [h for h in head if h.where != "title"]
    labels = [*walker.labels, *(t for t in page.lead if looks_like_system_label(t))]
    page.hints = (
        ([CodeHint("h1", page.descriptor)] if h1 is not None and page.descriptor else [])
        + title_hints + crumbs + other_head
        + [CodeHint("label", t) for t in dict.fromkeys(labels)]
        + [CodeHint("lead", t) for t in page.lead]
    )
    return page


@dataclass
class _Index:
    """The tags later steps need, gathered in one pass over the tree."""

    title: Tag | None = None
    breadcrumb: Tag | None = None
    metas: list[Tag] = field(default_factory=list)
    scripts: list[Tag] = field(default_factory=list)
    itemprops: list[Tag] = field(default_factory=list)
    content: list[Tag] = field(default_factory=list)
    h1s: list[Tag] = field(default_factory=list)


def _index(soup: BeautifulSoup) -> _Index:
    index = _Index()
    for tag in soup.descendants:
        if not isinstance(tag, Tag):
            continue
        name = tag.name
        if name == "meta":
            index.metas.append(tag)
        elif name == "title" and index.title is None:
            index.title = tag
        elif name == "h1":
            index.h1s.append(tag)
        elif is_jsonld(tag):
            index.scripts.append(tag)
        if tag.has_attr("itemprop"):
            index.itemprops.append(tag)
        if index.breadcrumb is None and is_breadcrumb(tag):
            index.breadcrumb = tag
        if _is_content(tag):
            index.content.append(tag)
    return index


# --- region and chrome ----------------------------------------------------------------------
def _tokens(tag: Tag) -> list[str]:
    ident = tag.get("id")
    return [c.lower() for c in tag.get("class") or []] + ([ident.lower()] if isinstance(ident, str) else [])


def _is_chrome(tag: Tag) -> bool:
    if tag.name == "header":
        return tag.find_parent(_SECTIONING) is None  # a section's own header is content
    if tag.name in CHROME_TAGS or tag.get("role") in CHROME_ROLES:
        return True
    return any(CHROME_CLASS_ID.match(t) for t in _tokens(tag))


def _is_content(tag: Tag) -> bool:
    if tag.name in CONTENT_TAGS or tag.get("role") in CONTENT_ROLES:
        return True
    return any(CONTENT_CLASS_ID.match(t) for t in _tokens(tag))


def _region(body: Tag, index: _Index) -> tuple[Tag, Tag | None]:
    """The content region and the main h1 (first h1 inside the region, else the first one
    outside chrome). When the h1 sits outside the region, the region grows to hold both."""
    ranked = sorted(index.content, key=lambda t: (t.name != "main" and t.get("role") != "main", t.name != "article"))
    region = ranked[0] if ranked else body
    h1s = [h for h in index.h1s if h.get_text(strip=True)]
    h1 = next((h for h in h1s if region is body or region in h.parents), None)
    if h1 is None:
        outside_chrome = (h for h in h1s if not any(_is_chrome(p) for p in h.parents if p is not body))
        h1 = next(outside_chrome, None) or next((h for h in h1s if not _is_logo(h)), None)
    if h1 is not None and region is not body and region not in h1.parents:
        ancestors = set(map(id, h1.parents))
        region = next((p for p in region.parents if id(p) in ancestors), body)
    return region, h1


def _is_logo(h1: Tag) -> bool:
    """A site name set in an h1 inside navigation or a logo/brand box."""
    return any(p.name == "nav" or p.get("role") == "navigation" or any(LOGO_CLASS_ID.match(t) for t in _tokens(p))
               for p in [h1, *h1.parents] if p.name != "[document]")


def _names_known_section(tag: Tag) -> bool:
    """Chrome-looking boxes that are really a section ("Related Codes" in an aside)."""
    first = first_named(tag, _SUBHEADINGS)
    if first is not None and heading_key(first.get_text(" ")):
        return True
    text = tag.get_text(" ", strip=True)
    return len(text.split()) <= LABEL_MAX_WORDS and heading_key(heading_label(text), fuzzy=False) is not None


def _drop_chrome(region: Tag, h1: Tag | None) -> None:
    """Remove chrome below `region`, never an ancestor of the main h1; an explicit stack, so
    a hostile page nested thousands deep cannot exhaust the recursion limit."""
    keep = set(map(id, h1.parents)) | {id(h1)} if h1 is not None else set()
    stack = [region]
    while stack:
        node = stack.pop()
        for child in [c for c in node.children if isinstance(c, Tag)]:
            if id(child) not in keep and (
                child.name in DROP_TAGS or (_is_chrome(child) and not _names_known_section(child))
            ):
                child.decompose()
            else:
                stack.append(child)


# --- sections ---------------------------------------------------------------------------------
def _line_heading(line: Line) -> Heading | None:
    """A line that may open a section, as a candidate remembering the line and its value."""
    cand = _label_of(line)
    if cand is not None:
        cand[0].line, cand[0].rest = line, cand[1]
        return cand[0]
    return None


def _label_of(line: Line) -> tuple[Heading, str] | None:
    if line.kind != "text" or line.row:
        return None
    if line.label is not None:
        label = heading_label(line.label)
        rest = _LABEL_SEPARATOR.sub("", line.rest)
        if len(label.split()) > LABEL_MAX_WORDS or not label:
            return None
        if not rest:
            return Heading(label, "bold"), ""
        separated = line.label.endswith(":") or rest != line.rest or not rest[:1].islower()
        if separated and heading_key(label, fuzzy=False):
            return Heading(label, "inline"), rest
        return None
    text = line.text
    if ":" in text and not text.endswith(":"):
        label, _, rest = text.partition(":")
        if heading_key(label, fuzzy=False) and len(label.split()) <= LABEL_MAX_WORDS:
            return Heading(heading_label(label), "inline"), rest.strip()
        return None
    label = heading_label(text)
    if len(label.split()) > LABEL_MAX_WORDS or label.endswith((".", "!", ",", ";")):
        return None
    if text.endswith(":"):
        return Heading(label, "colon"), ""
    if heading_key(label, fuzzy=False) and len(label.split()) <= 6:
        return Heading(label, "plain"), ""
    return None


def _is_subtitle(events: list[Event], i: int, after_descriptor: bool) -> bool:
    """A heading before any section that is really the descriptor's continuation."""
    nxt = events[i + 1] if i + 1 < len(events) else None
    if nxt is None or isinstance(nxt, Heading):
        return True
    words = events[i].text.split()
    return after_descriptor and (len(words) > 8 or (len(words) >= 4 and not is_title_case(events[i].text)))


class _Builder:
    """Folds events into sections; remembers what it needs for related links."""

    def __init__(self) -> None:
        self.page = ParsedPage()
        self.section: Section | None = None
        self.key: str | None = None
        self.level = 7

    def open(self, heading: str, level: int) -> None:
        self.section = Section(heading=heading)
        self.key, self.level = heading_key(heading), level
        self.page.sections.append(self.section)

    def text(self, text: str, kind: str = "text", depth: int = 0, links: list | None = None) -> None:
        if self.section is None:
            self.page.lead.append(text)
            return
        if kind == "text" and CHROME_LINES.match(text):
            return
        marked = strip_marker(text)
        if marked is not None:
            text, kind = marked, "item"
        self.section.blocks.append(Block(text, kind, depth))
        if self.key == "similar_codes" and links:
            self.page.related_links.extend(links)


def _assemble(events: list[Event]) -> ParsedPage:
    expanded: list[Event] = [(_line_heading(ev) if isinstance(ev, Line) else None) or ev for ev in events]
    weak_styles = {e.style for e in expanded if isinstance(e, Heading) and e.style not in _STRUCTURAL
                   and heading_key(e.text)}
    has_h1 = any(isinstance(e, Heading) and e.style == "h1" for e in expanded)
    b = _Builder()
    previous_was_descriptor = False
    for i, ev in enumerate(expanded):
        after_descriptor, previous_was_descriptor = previous_was_descriptor, False
        if isinstance(ev, Line):
            b.text(ev.text, ev.kind, ev.depth, ev.links)
            continue
        key = heading_key(ev.text)
        if ev.style == "h1" or (not has_h1 and b.page.descriptor is None and b.section is None
                                and ev.style == "h" and key is None):
            if b.page.descriptor is None:
                b.page.descriptor = ev.text
                previous_was_descriptor = True
                if not heading_key(ev.text, fuzzy=False):
                    continue
            b.open(ev.text, 1) if key else b.text(ev.text)
            continue
        if ev.style in _STRUCTURAL:
            if key is None and b.key is not None and ev.level > b.level:
                b.text(ev.text)  # a sub-heading of a known section belongs to it
            elif key is None and b.section is None and _is_subtitle(expanded, i, after_descriptor):
                b.text(ev.text)
                previous_was_descriptor = after_descriptor
            else:
                b.open(ev.text, ev.level)
        elif key is not None and key == b.key:
            b.text(ev.line.text if ev.line is not None else ev.text)  # "Steps:" inside the steps
        elif key is not None or (ev.style in weak_styles and b.key is None):
            b.open(ev.text, 7)
            if ev.rest and ev.line is not None:
                b.text(ev.rest, links=ev.line.links)
        elif ev.line is not None:  # a label that is not a heading after all: keep the line
            b.text(ev.line.text, links=ev.line.links)
    if b.page.descriptor is None:
        b.page.descriptor = pick_descriptor(b.page.lead)
    return b.page
