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

from extract.document import Block, CodeHint, ParsedPage, Section
from extract.html_hints import breadcrumb_hints, code_tokens, head_hints, is_breadcrumb, is_jsonld
from extract.html_tree import (
    Element, build_tree, class_id_test, class_id_tests, drop, more_words_than, text_of,
)
from extract.html_walk import Event, Heading, Line, Walker, clean_heading, first_named
from extract.selectors import (
    CHROME_CLASS_ID, CHROME_LINES, CHROME_ROLES, CHROME_TAGS, CONTENT_CLASS_ID, CONTENT_ROLES,
    CONTENT_TAGS, DESCRIPTOR_LABEL, DROP_TAGS, LABEL_MAX_WORDS, LOGO_CLASS_ID,
)
from extract.text_parser import (
    heading_label, is_title_case, looks_like_system_label, pick_descriptor, strip_marker,
)
from transform.headings import heading_key

_STRUCTURAL = frozenset({"h", "accordion", "attr", "dt", "th"})
_SECTIONING = ["article", "section", "main"]
_SUBHEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6", "summary"})
_LABEL_SEPARATOR = re.compile(r"^[:\-–—]\s*")
_PROSE_ENDS = (".", "!", ",", ";")
# A block labelled as the page's long descriptor ("Long descriptor", `<p class="long-description">`).
_LONG_LABEL = re.compile(r"^(?:long|full|official)\s+(?:descriptor|description|desc\.?)$", re.I)
_LONG_CLASS = re.compile(r"\.(?:\S+\s)*(?:long|full)[-_]?desc", re.I)
_RUN_IN_MAX_WORDS = 6


def parse_html(html: str | bytes, url: str | None = None) -> ParsedPage:
    """Parse one HTML page, as text or UTF-8 bytes (see `build_tree`). Never returns None; a
    page with no content gives an empty page."""
    root = build_tree(html)
    if root is None:
        return ParsedPage()
    index = _index(root)
    head = head_hints(index.title, index.metas, index.scripts, index.itemprops)
    crumbs = breadcrumb_hints(index.breadcrumb)
    body = next(root.iter("body"), None)
    region, h1 = _region(root, body, index)
    whole_document = region is root and body is None  # no <body>: the root tag is content too
    _drop_chrome(region, h1, index.chrome, whole_document)
    walker = Walker(url, h1)
    walker.walk_region(region, as_element=whole_document)
    page, main_heading, long_text = _assemble(walker.events)
    h1_text = page.descriptor
    page.descriptor = _labelled_descriptor(page, long_text) or page.descriptor
    title_hints = [h for h in head if h.where == "title"]
    other_head = [h for h in head if h.where != "title"]
    labels = [*walker.labels, *(t for t in page.lead if looks_like_system_label(t))]
    page.hints = (
        ([CodeHint("h1", h1_text)] if (h1 is not None or main_heading) and h1_text else [])
        + title_hints + crumbs + other_head
        + [CodeHint("label", t) for t in dict.fromkeys(labels)]
        + [CodeHint("lead", t) for t in page.lead]
    )
    return page


@dataclass
class _Index:
    """The tags later steps need, in document order."""

    title: Element | None = None
    breadcrumb: Element | None = None
    metas: list[Element] = field(default_factory=list)
    scripts: list[Element] = field(default_factory=list)
    itemprops: list[Element] = field(default_factory=list)
    content: list[Element] = field(default_factory=list)
    h1s: list[Element] = field(default_factory=list)
    chrome: list[Element] = field(default_factory=list)  # what `_drop_chrome` may drop


_SELECTOR_ATTRS = frozenset({"class", "id", "role", "aria-label", "itemtype"})
_WATCHED_ATTRS = _SELECTOR_ATTRS | {"itemprop"}
_CHROME_NAMES = DROP_TAGS | CHROME_TAGS
_INDEX_NAMES = (*_CHROME_NAMES, "title", "h1", *CONTENT_TAGS)


def _index(root: Element) -> _Index:
    """One Python pass over the tree's nodes that reads each node's attribute names (`keys()`,
    one C call) and nothing more unless one is an attribute some step looks for. The tags a step
    wants by name come from lxml's C tag filter, walked in step with the pass (lxml hands out
    one proxy per element while it is referenced, so `is` tells when the pass reaches one): the
    pass never reads the names of the other nine tags in ten. (Cheaper than one XPath `or`
    query, or several C-filtered passes merged back into document order.) Also lists the tags
    chrome removal may drop, so it need not visit every tag of the region again."""
    index = _Index()
    chrome = index.chrome
    named = root.iter(*_INDEX_NAMES)
    upcoming = next(named, None)
    for tag in root.iter():  # (comments and processing instructions too: no name, no attributes)
        keys = tag.keys()
        if tag is upcoming:
            upcoming = next(named, None)
            name = tag.tag
            if name in _CHROME_NAMES:
                chrome.append(tag)
                if name == "meta":
                    index.metas.append(tag)
                elif name == "script" and is_jsonld(tag):
                    index.scripts.append(tag)
            elif name == "h1":
                index.h1s.append(tag)
            elif name == "title":
                if index.title is None:
                    index.title = tag
            elif not keys:
                index.content.append(tag)  # a bare <main>/<article>
            if not keys or (_WATCHED_ATTRS.isdisjoint(keys) and name not in CONTENT_TAGS):
                continue
        elif not keys or _WATCHED_ATTRS.isdisjoint(keys):
            continue  # (most tags: no attribute any step reads)
        else:
            name = tag.tag
        if "itemprop" in keys:
            index.itemprops.append(tag)
        if name not in CONTENT_TAGS and _SELECTOR_ATTRS.isdisjoint(keys):
            continue  # nothing a content, breadcrumb or chrome selector could match
        if index.breadcrumb is None and is_breadcrumb(tag):
            index.breadcrumb = tag
        role = tag.get("role")
        content_class, chrome_class = _region_classes(tag)
        if name in CONTENT_TAGS or role in CONTENT_ROLES or content_class:
            index.content.append(tag)
        if name not in _CHROME_NAMES and (role in CHROME_ROLES or chrome_class):  # (named ones: above)
            chrome.append(tag)
    return index


# --- region and chrome ----------------------------------------------------------------------
_chrome_class = class_id_test(CHROME_CLASS_ID)
_region_classes = class_id_tests(CONTENT_CLASS_ID, CHROME_CLASS_ID)
_logo_class = class_id_test(LOGO_CLASS_ID)


def _is_chrome(tag: Element) -> bool:
    if tag.tag == "header":
        return next(tag.iterancestors(*_SECTIONING), None) is None  # a section's own header is content
    if tag.tag in CHROME_TAGS or tag.get("role") in CHROME_ROLES:
        return True
    return _chrome_class(tag)


def _region(root: Element, body: Element | None, index: _Index) -> tuple[Element, Element | None]:
    """The content region and the main h1 (first h1 inside the region, else the first one
    outside chrome). When the h1 sits outside the region, the region grows to hold both.
    Without a `<body>` the fallback region is the whole document (`root`)."""
    top = body if body is not None else root
    ranked = sorted(index.content, key=lambda t: (t.tag != "main" and t.get("role") != "main", t.tag != "article"))
    region = ranked[0] if ranked else top
    h1s = [h for h in index.h1s if text_of(h, strip=True)]
    h1 = next((h for h in h1s if region is top or any(p is region for p in h.iterancestors())), None)
    if h1 is None:
        outside_chrome = (h for h in h1s if not any(_is_chrome(p) for p in h.iterancestors() if p is not body))
        h1 = next(outside_chrome, None)
        if h1 is None:  # (lxml elements are falsy when childless: no `or` between them)
            h1 = next((h for h in h1s if not _is_logo(h)), None)
    if h1 is not None and region is not top and not any(p is region for p in h1.iterancestors()):
        ancestors = set(h1.iterancestors())
        region = next((p for p in region.iterancestors() if p in ancestors), top)
    return region, h1


def _is_logo(h1: Element) -> bool:
    """A site name set in an h1 inside navigation or a logo/brand box."""
    return any(p.tag == "nav" or p.get("role") == "navigation" or _logo_class(p) for p in [h1, *h1.iterancestors()])


def _names_known_section(tag: Element) -> bool:
    """Chrome-looking boxes that are really a section ("Related Codes" in an aside)."""
    first = first_named(tag, _SUBHEADINGS)
    if first is not None and heading_key(text_of(first, " ")):
        return True
    if more_words_than(tag, LABEL_MAX_WORDS):
        return False
    return heading_key(heading_label(text_of(tag, " ", strip=True)), fuzzy=False) is not None


def _drop_chrome(region: Element, h1: Element | None, candidates: list[Element], with_region: bool = False) -> None:
    """Remove chrome below `region` (and `region` itself when `with_region`: it is the root of
    a page with no body), never the main h1 or its ancestors. `candidates` are the tags that
    may be chrome, in document order (`_Index.chrome`): an ancestor is judged before what it
    holds, on its whole subtree, and a tag inside a dropped one is cut off from `region`.
    (Ancestors remembered as inside stay so: a later drop only cuts off later tags.)"""
    keep = {h1, *h1.iterancestors()} if h1 is not None else set()

    def is_dropped(tag: Element) -> bool:
        return tag not in keep and (tag.tag in DROP_TAGS or (_is_chrome(tag) and not _names_known_section(tag)))

    if with_region and is_dropped(region):
        drop(region)
        return
    below: dict[Element, bool] = {region: True}  # ancestor → whether it is (still) in the region
    for tag in candidates:
        path, node = [], tag.getparent()
        while node is not None and node not in below:  # each tag climbed once: linear on deep pages
            path.append(node)
            node = node.getparent()
        inside = node is not None and below[node]
        if path:  # (most tags: their parent is known already)
            below.update(dict.fromkeys(path, inside))
        if inside and is_dropped(tag):
            drop(tag)


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


def _labelled_descriptor(page: ParsedPage, long_text: str | None) -> str | None:
    """The text the page itself labels as the descriptor, whatever its h1 says: a block set
    in a long-descriptor class, the value of a "CPT descriptor: …" lead line, the line after a
    "Long descriptor" label in the lead, or the first paragraph of a "Long descriptor" section.
    The label itself is never the descriptor."""
    if long_text:
        return long_text
    for i, line in enumerate(page.lead):
        label, sep, value = line.partition(":")
        if sep and value.strip() and DESCRIPTOR_LABEL.match(label.strip()) and not heading_key(label, fuzzy=False):
            return value.strip()
        if _LONG_LABEL.match(clean_heading(line)) and i + 1 < len(page.lead):
            return page.lead[i + 1]
    section = next((s for s in page.sections if _LONG_LABEL.match(s.heading)), None)
    return section.paragraphs[0] if section is not None and section.paragraphs else None


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
        self.page_codes: frozenset[str] = frozenset()  # codes the main heading names
        self.other_level: int | None = None  # level of an open heading naming another code
        self.run_in = False  # the open section began "<b>Label:</b> value"

    def describe(self, text: str) -> None:
        self.page.descriptor = text
        self.page_codes = code_tokens(text)

    def open(self, heading: str, level: int, run_in: bool = False) -> None:
        """Open a section; one naming another code than the main heading's ("Compare: CPT
        20611"), and those nested under it, get `context="other_code"`. `run_in`: opened by
        "<b>Label:</b> value", so a further bold label ends it rather than sub-labels it."""
        self.run_in = run_in
        if self.other_level is not None and level <= self.other_level:
            self.other_level = None
        if self.other_level is None and self.page_codes and code_tokens(heading) - self.page_codes:
            self.other_level = level
        self.section = Section(heading=heading, context=None if self.other_level is None else "other_code")
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


def _heading_styles(events: list[Event]) -> set[str]:
    """Styles (tag + class) this page sets its headings in: the style of a line alone that
    names a known section, provided no line in that style reads as prose."""
    known, prose = set(), set()
    for ev in events:
        if not isinstance(ev, Line) or ev.style is None or ev.style in prose or ev.kind != "text" or ev.row:
            continue  # (a style once seen in prose is out, whatever its other lines say)
        label = heading_label(clean_heading(ev.text))
        if len(label.split()) > LABEL_MAX_WORDS or ev.text.endswith(_PROSE_ENDS):
            prose.add(ev.style)
        elif heading_key(label):
            known.add(ev.style)
    return known - prose


def _styled_heading(events: list[Event], i: int, styles: set[str]) -> Heading | None:
    """A line set in a heading style and followed by content: a heading, whatever it says."""
    ev, nxt = events[i], events[i + 1] if i + 1 < len(events) else None
    if not isinstance(ev, Line) or ev.style not in styles or ev.kind != "text":
        return None
    if not isinstance(nxt, Line) or nxt.style == ev.style:
        return None
    text = heading_label(clean_heading(ev.text))
    return Heading(text, "styled", 7, line=ev) if text else None


def _top_heading(events: list[Event]) -> int | None:
    """On a page with no h1: 0 when the content opens with a short line set bold or large that
    holds a code ("<center><b>CPT® 47562</b></center>"): it is the main heading. Only the very
    first line: further down, a bold code line sits under a banner the lead already holds."""
    ev = events[0] if events else None
    if not isinstance(ev, Line) or ev.kind != "text" or ev.row or len(ev.text.split()) > 6:
        return None
    prominent = ev.style is not None or ev.label == ev.text
    return 0 if prominent and code_tokens(ev.text) and heading_key(clean_heading(ev.text)) is None else None


def _run_in_label(line: Line) -> tuple[str, str] | None:
    """(label, value) of a paragraph opening with a short bold label ending in ":"."""
    if line.kind != "text" or line.row or line.label is None or not line.rest:
        return None
    if not (line.label.endswith(":") or line.rest.startswith(":")):
        return None
    label, rest = heading_label(line.label), _LABEL_SEPARATOR.sub("", line.rest)
    return (label, rest) if label and rest and len(label.split()) <= _RUN_IN_MAX_WORDS else None


def _drop_repeats(sections: list[Section]) -> list[Section]:
    """Keep the first copy of a section repeated word for word (heading and text): pages
    print the same sections twice, once hidden for mobile and once for desktop."""
    seen: dict[tuple, list[list[Block]]] = {}  # (heading, context, length) → the block lists kept
    kept: list[Section] = []
    for sec in sections:
        earlier = seen.setdefault((sec.heading, sec.context, len(sec.blocks)), [])
        if sec.blocks and sec.blocks in earlier:  # (blocks compare by text, kind and depth)
            continue
        earlier.append(sec.blocks)
        kept.append(sec)
    return kept


def _assemble(events: list[Event]) -> tuple[ParsedPage, bool, str | None]:
    """The page's sections, lead and descriptor; whether a line served as its main heading;
    and the text of a block set in a long-descriptor class, if any."""
    styles = _heading_styles(events)
    expanded: list[Event] = []  # each line that may open a section as its heading candidate
    weak_styles: set[str] = set()
    has_h1 = run_in = False  # run_in: the page starts sections with "<b>Label:</b> text"
    for i, ev in enumerate(events):
        if isinstance(ev, Line) and ev.kind == "text":  # (an item line is never a heading candidate)
            ev = (_styled_heading(events, i, styles) if styles else None) or _line_heading(ev) or ev
        if isinstance(ev, Heading):
            has_h1 = has_h1 or ev.style == "h1"
            run_in = run_in or (ev.style == "inline" and ev.line is not None and bool(ev.line.label))
            if ev.style not in _STRUCTURAL and ev.style not in weak_styles and heading_key(ev.text):
                weak_styles.add(ev.style)
        expanded.append(ev)
    top = None if has_h1 else _top_heading(events)
    long_text = None
    b = _Builder()
    previous_was_descriptor = False
    for i, ev in enumerate(expanded):
        after_descriptor, previous_was_descriptor = previous_was_descriptor, False
        if top is not None and i in (top, top + 1) and b.section is None:
            line = events[i]
            if i == top:
                b.describe(clean_heading(line.text))
                continue
            if isinstance(line, Line) and heading_key(clean_heading(line.text)) is None:
                b.text(line.text)  # the descriptor printed under the main heading
                continue
        if isinstance(ev, Line):
            if long_text is None and ev.style and _LONG_CLASS.search(ev.style):
                long_text = ev.text
            labelled = _run_in_label(ev) if run_in and (b.section is None or b.run_in) else None
            if labelled is not None:
                b.open(labelled[0], 7, run_in=True)
                b.text(labelled[1], links=ev.links)
            else:
                b.text(ev.text, ev.kind, ev.depth, ev.links)
            continue
        key = heading_key(ev.text)
        if _LONG_LABEL.match(ev.text) and ev.style == "h" and b.page.descriptor is None:
            b.open(ev.text, ev.level)  # a "Long descriptor" label is never the descriptor
            continue
        if ev.style == "h1" or (not has_h1 and b.page.descriptor is None and b.section is None
                                and ev.style == "h" and key is None):
            if b.page.descriptor is None:
                b.describe(ev.text)
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
        elif ev.style == "styled":
            b.open(ev.text, 7)
        elif key is not None and key == b.key:
            b.text(ev.line.text if ev.line is not None else ev.text)  # "Steps:" inside the steps
        elif key is not None or (ev.style in weak_styles and b.key is None):
            b.open(ev.text, 7, run_in=bool(ev.rest))
            if ev.rest and ev.line is not None:
                b.text(ev.rest, links=ev.line.links)
        elif ev.line is not None:  # a label that is not a heading after all: keep the line
            b.text(ev.line.text, links=ev.line.links)
    if b.page.descriptor is None:
        b.page.descriptor = pick_descriptor(b.page.lead)
    b.page.sections = _drop_repeats(b.page.sections)
    return b.page, top is not None, long_text
