"""One pass over a cleaned content region → a flat stream of heading candidates and lines.

The walker only records what the markup says (this is an `h3`, this line opened with a bold
label, this row has two cells); `extract.html_parser` decides afterwards, with the whole
page in view, which candidates really are section headings. Lines are flushed at block
boundaries and `<br>`; inside a `<li>` block boundaries only add a space, so one list item
stays one item, and nested lists follow their parent item with depth + 1.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from extract.html_tree import (
    DROPPED, STRING_CONTAINERS, Element, bs_string, class_id_test, context, drop, is_tag, plain_text, text_of,
)
from extract.selectors import (
    ACCORDION_HEADER_ATTR_TAGS, ACCORDION_HEADER_ATTRS, ACCORDION_HEADER_CLASS,
    ACCORDION_HEADER_TAGS, BLOCK_TAGS, BOLD_CLASS, BOLD_TAGS, CELL_TAGS, CODE_LABEL_CLASS_ID,
    CONTROL_TAGS, DROP_TAGS, HEADING_DECORATION, HEADING_TAGS, LABEL_HINT_MAX_WORDS, LIST_TAGS,
    SECTION_NAME_ATTRS,
)
from transform.headings import heading_key
from transform.text import normalize_inline

Link = tuple[str, str | None, str | None]
_MAX_DEPTH = 120  # deeper subtrees are read as flat text instead of recursing
_HEADER_MAX_WORDS = 12
HEADING_NAMES = frozenset(HEADING_TAGS)
# Tags `Walker._heading` may take for a heading without any attribute (the main h1 is an h1).
_BARE_HEADING_NAMES = HEADING_NAMES | ACCORDION_HEADER_TAGS | CONTROL_TAGS | {"dt"}
_SKIP_TAGS = DROP_TAGS | {DROPPED}
_TEXT_CONTEXT_TAGS = (*STRING_CONTAINERS, "pre", "textarea")
_LAYOUT_BLOCKS = frozenset({"p", "ul", "ol", "dl", "table", "h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKY = frozenset({"p", "div", "ul", "ol", "table", "dl", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6"})
# Status marks set inside a main heading ("Billable", "New"): not part of the descriptor.
BADGE_CLASS = re.compile(r"^(?:badge|label|tag|pill|status|chip)(?:$|[-_])")
_TRAILING_MARK_TAGS = frozenset({"small", "sup"})
_LARGE_FONT = re.compile(r"^(?:\+\d|[4-7])$")
_badge_class = class_id_test(BADGE_CLASS)
_bold_class = class_id_test(BOLD_CLASS)
_code_label_class = class_id_test(CODE_LABEL_CLASS_ID)
_accordion_header_class = class_id_test(ACCORDION_HEADER_CLASS)
_ACCORDION_ATTRS = frozenset(ACCORDION_HEADER_ATTRS)
_CLASS_ID = frozenset({"class", "id"})


@dataclass(slots=True)
class Heading:
    """A heading candidate: `style` is `h1`, `h`, `accordion`, `dt`, `th` or `attr` from the
    walker; `bold`, `colon`, `plain` or `inline` for a line that may be a label, in which
    case `line` is that line (kept if the label is not a heading) and `rest` its value."""

    text: str
    style: str
    level: int = 7
    element: Element | None = None
    line: "Line | None" = None
    rest: str = ""


@dataclass(slots=True)
class Line:
    """One line of content. `label` is its bold opening words, `rest` what follows them;
    `row` marks a table row, which is data and never a heading; `style` is the tag and class
    (`span.acc-title`, `b`) setting all of the line's text, if one does (see `style_of`)."""

    text: str
    kind: str = "text"
    depth: int = 0
    label: str | None = None
    rest: str = ""
    links: list[Link] = field(default_factory=list)
    row: bool = False
    style: str | None = None


Event = Heading | Line


def clean_heading(text: str) -> str:
    """Heading text as printed, without toggle arrows, plus signs or the colon after a label."""
    return normalize_inline(text).strip(HEADING_DECORATION)


def style_of(tag: Element) -> str | None:
    """What makes text inside `tag` look a certain way: its tag and class, or a bare bold tag.
    Plain tags (`p`, `div`) carry no style: a page prints both labels and prose in them."""
    cls = tag.get("class")
    if cls:
        return f"{tag.tag}.{cls}"
    if tag.tag in BOLD_TAGS or tag.tag == "big":
        return tag.tag
    size = tag.get("size") if tag.tag == "font" else None  # print pages set headings in large fonts
    return f"font.{size}" if size and _LARGE_FONT.match(size.strip()) else None


def _line_style(segments: list[tuple[str, bool, str | None]]) -> str | None:
    """The one style of all the line's text, ignoring toggle glyphs ("+", "▾") beside it."""
    style = None
    for seg, _, seg_style in segments:
        if not seg.strip(HEADING_DECORATION):
            continue
        if seg_style is None or (style is not None and seg_style != style):
            return None
        style = seg_style
    return style


def _is_layout(cells: list[list[Element]]) -> bool:
    """A table that lays out the page rather than holding data: no header cell, and a cell
    holding headings or blocks (paragraphs, lists, another table)."""
    flat = [c for row_cells in cells for c in row_cells]
    if any(c.tag == "th" for c in flat):
        return False
    return any(first_named(c, _LAYOUT_BLOCKS) is not None for c in flat)


def _item_label(item: Element) -> str | None:
    """The bold words an `<li>` opens with (`<li><strong>Duration:</strong> …`), if any."""
    text = item.text
    if text and text.strip():
        return None
    first = next((c for c in item if is_tag(c)), None)
    if first is None or first.tag not in BOLD_TAGS:
        return None
    return clean_heading(text_of(first, " ")) or None


def _is_label_list(tag: Element) -> bool:
    """A list whose every item opens with a bold label, one of them a known section: a run
    of labelled paragraphs set as a list, not a list of items."""
    labels = []
    for item in tag.iterchildren("li"):
        label = _item_label(item)
        if not label:
            return False  # (most lists: the first item has none)
        labels.append(label)
    return any(heading_key(lb, fuzzy=False) for lb in labels)


def _is_badge(el: Element, parent: Element) -> bool:
    """A status badge (class badge/label/tag/pill/status), or a `<small>`/`<sup>` holding a
    word that ends the heading after its text (a `CPT<sup>®</sup>` mark stays)."""
    if is_tag(el) and _badge_class(el):
        return True
    if el.tag not in _TRAILING_MARK_TAGS or el.getparent() is not parent:
        return False
    later = el.itersiblings()
    rest = (el.tail or "") + "".join(text_of(s) + (s.tail or "") for s in later if is_tag(s))
    return not rest.strip() and any(c.isalpha() for c in text_of(el)) and text_of(parent).strip() != text_of(el).strip()


def _without_badges(h1: Element) -> Element:
    """The main heading less its badges: a copy with them dropped, or `h1` itself if it has none."""
    if not any(_is_badge(el, h1) for el in h1.iterdescendants()):
        return h1
    h1 = copy.deepcopy(h1)
    for el in [el for el in h1.iterdescendants() if _is_badge(el, h1)]:
        drop(el)
    return h1


def first_named(tag: Element, names: frozenset[str] | set[str]) -> Element | None:
    """The first descendant named one of `names` (none in a leaf: most headings and cells,
    which spares building lxml's tag matcher)."""
    return next(tag.iterdescendants(*names), None) if len(tag) else None


class Walker:
    """Collects events from one region; `main_h1` is emitted with style `h1`."""

    def __init__(self, url: str | None, main_h1: Element | None) -> None:
        self.url = url
        self.main_h1 = main_h1
        self.events: list[Event] = []
        self.labels: list[str] = []
        self._segments: list[tuple[str, bool, str | None]] = []
        self._tabs: dict[str, str] = {}  # tab panel id or tab id → the tab's label
        self._links: list[Link] = []
        self._bold = 0
        self._list_depth = -1
        self._in_item = 0
        self._dl_keyed = False
        self._special = False  # rt/rp/pre inside the region: strings need their context checked
        self._text = text_of  # `plain_text` when not `_special`

    # --- lines ---------------------------------------------------------------------------
    def flush(self) -> None:
        """End the current line (or list item) and record it if it holds any text."""
        segments, links = self._segments, self._links
        if not segments:  # most calls: a block edge right after another
            if links:
                self._links = []
            return
        self._segments, self._links = [], []
        text = normalize_inline(segments[0][0] if len(segments) == 1 else "".join([s for s, _, _ in segments]))
        if not text:
            return
        if self._in_item:
            depth = max(self._list_depth, 0)
            self.events.append(Line(text, "item", depth, links=links))
            return
        label_parts: list[str] = []
        for i, (seg, bold, _) in enumerate(segments):
            if not bold and seg.strip():
                break
            label_parts.append(seg)
        else:
            i = len(segments)
        label = normalize_inline("".join(label_parts)) if label_parts else ""
        rest = normalize_inline("".join(s for s, _, _ in segments[i:])) if label else ""
        self.events.append(Line(text, "text", 0, label or None, rest, links, style=_line_style(segments)))

    def boundary(self) -> None:
        """A block edge: ends the line, except inside a list item where it is a space."""
        if self._in_item:
            self._segments.append((" ", False, None))
        else:
            self.flush()

    # --- traversal -----------------------------------------------------------------------
    def walk_region(self, region: Element, as_element: bool = False) -> None:
        """Walk the region's content (`as_element`: the region tag itself too, when it is the
        whole document rather than its body), then end the last line."""
        self._special = next(region.iter(*_TEXT_CONTEXT_TAGS), None) is not None or context(region) != (None, False)
        self._text = text_of if self._special else plain_text
        if as_element:
            self.element(region, 1)
        else:
            self.walk(region)
        self.flush()

    def _string_context(self, node: Element) -> tuple[bool, bool]:
        """Whether the strings directly in `node` are page text, and whether they keep whitespace."""
        if not self._special:
            return True, False
        container, preserve = context(node)
        return container is None, preserve

    def walk(self, node: Element, depth: int = 0) -> None:
        text, preserve = self._string_context(node) if self._special else (True, False)
        sig = style_of(node)
        segments = self._segments
        string = node.text  # (each read of `.text`/`.tail`/`.tag` builds a new str: read once)
        if string and text:  # (`bs_string` only changes strings of whitespace)
            segments.append((bs_string(string, preserve) if string.isspace() else string, self._bold > 0, sig))
        for child in node:
            name = child.tag
            if isinstance(name, str):  # (`is_tag`, inlined: this loop sees every node of the region)
                self.element(child, depth + 1, name)
                segments = self._segments  # a flush inside the child starts a new list
            string = child.tail
            if string and text:  # comments and processing instructions are not text; their tails are
                segments.append((bs_string(string, preserve) if string.isspace() else string, self._bold > 0, sig))

    def element(self, tag: Element, depth: int, name: str | None = None) -> None:
        """One tag of the region (`name`: its tag name, when the caller has read it already)."""
        if name is None:
            name = tag.tag
        if name in _SKIP_TAGS:
            return
        if depth > _MAX_DEPTH:
            self._segments.append((" " + self._text(tag, " ") + " ", False, None))
            return
        if name == "br":
            self.boundary()
            return
        if name == "hr":
            self.flush()
            return
        keys = tag.keys()  # most tags have no attributes: then no attribute test can match
        role = tag.get("role") if keys else None
        if role == "tablist" and self._tablist(tag):
            return
        if role == "tabpanel":
            self._tabpanel(tag)
        if (keys or name in _BARE_HEADING_NAMES) and self._heading(tag, name, role, keys):
            return
        if name in CONTROL_TAGS:
            return  # UI buttons ("Copy", "Show more") that are not section headers
        if name in LIST_TAGS:
            self._list(tag, depth)
        elif name == "li":
            self._item(tag, depth)
        elif name == "table":
            self._table(tag, depth)
        elif name == "dl":
            self._dl(tag, depth)
        elif name == "pre":
            self.flush()
            for line in self._text(tag).splitlines():
                self._segments.append((line, False, None))
                self.boundary()
        elif name in BLOCK_TAGS:
            self.boundary()
            if keys:
                self._section_attr(tag)
            self.walk(tag, depth)
            self.boundary()
        else:
            self._inline(tag, name, depth, not _CLASS_ID.isdisjoint(keys))

    def _inline(self, tag: Element, name: str, depth: int, has_class: bool) -> None:
        """`has_class`: the tag has a class or an id, which may set it bold or as a code label."""
        bold = name in BOLD_TAGS or (has_class and _bold_class(tag))
        if has_class and _code_label_class(tag):
            text = normalize_inline(self._text(tag, " "))
            if text and len(text.split()) <= LABEL_HINT_MAX_WORDS:
                self.labels.append(text)
        if name == "a":
            link = self._link(tag)
            if link is not None:
                self._links.append(link)
        self._bold += bold
        self.walk(tag, depth)
        self._bold -= bold

    def _heading(self, tag: Element, name: str, role: str | None, keys: list[str]) -> bool:
        """Emit `tag` as a heading candidate if the markup says it is one (`keys`: its attributes)."""
        if self._in_item:
            return False
        style, level = None, 7
        if tag is self.main_h1:
            style, level = "h1", 1
        elif name in HEADING_TAGS:
            style, level = "h", HEADING_TAGS[name]
        elif role == "heading":
            raw = str(tag.get("aria-level", "7"))
            style, level = "h", int(raw) if raw.isdigit() else 7
        elif name in ACCORDION_HEADER_TAGS or (keys and _accordion_header_class(tag)):
            style = "accordion"
        elif name in ACCORDION_HEADER_ATTR_TAGS and not _ACCORDION_ATTRS.isdisjoint(keys):
            style = "accordion"
        elif name == "dt" and self._dl_keyed:
            style = "dt"
        elif name in CONTROL_TAGS:
            style = "button"  # a bare <button>: a header only if it names a known section
        if style is None:
            return False
        first_block = first_named(tag, _BLOCKY) if style in ("h", "h1") else None
        if first_block is not None:  # an unclosed <h2> swallowed what follows it
            return self._split_heading(tag, style, level)
        text = clean_heading(self._text(_without_badges(tag) if style == "h1" else tag, " "))
        if style == "button":
            if not heading_key(text):
                return False
            style = "accordion"
        if style == "accordion" and len(text.split()) > _HEADER_MAX_WORDS:
            return False
        self.flush()
        if text:
            self.events.append(Heading(text, style, level, tag))
        return True

    def _split_heading(self, tag: Element, style: str, level: int) -> bool:
        """Heading text up to the first block child; the rest is walked as content."""
        self.flush()
        children = self._children(tag, *self._string_context(tag))
        cut = next(i for i, c in enumerate(children)
                   if not isinstance(c, str) and (c.tag in _BLOCKY or first_named(c, _BLOCKY) is not None))
        text = clean_heading(" ".join(c if isinstance(c, str) else self._text(c, " ") for c in children[:cut]))
        if text:
            self.events.append(Heading(text, style, level, tag))
        for child in children[cut:]:
            if isinstance(child, str):
                self._segments.append((child, False, None))
            else:
                self.element(child, 1)
        self.flush()
        return True

    @staticmethod
    def _children(tag: Element, text: bool, preserve: bool) -> list[Element | str]:
        """bs4's `tag.contents` less comments: child tags and (page-text) strings, in order."""
        out: list[Element | str] = [bs_string(tag.text, preserve)] if tag.text and text else []
        for child in tag:
            if is_tag(child):
                out.append(child)
            if child.tail and text:
                out.append(bs_string(child.tail, preserve))
        return out

    def _tablist(self, tag: Element) -> bool:
        """Remember each tab's label under its panel's id and its own id, to print it where
        its panel is (`_tabpanel`) rather than all labels in a row before every panel."""
        tabs = [t for t in tag.iterdescendants() if t.get("role") == "tab"]
        for tab in tabs:
            label = clean_heading(self._text(tab, " "))
            for key in (tab.get("aria-controls"), tab.get("id")):
                if key and label:
                    self._tabs[key] = label
        return bool(tabs)

    def _tabpanel(self, tag: Element) -> None:
        """A tab panel opens with its tab's label, found by `aria-labelledby` or its id."""
        label = self._tabs.get(tag.get("id") or "") or self._tabs.get(tag.get("aria-labelledby") or "")
        if label:
            self.flush()
            self.events.append(Heading(label, "accordion", 7, tag))

    def _section_attr(self, tag: Element) -> None:
        """`<section data-section="Risks">` with no heading inside: the attribute names it."""
        for attr in SECTION_NAME_ATTRS:
            value = tag.get(attr)
            if isinstance(value, str) and value.strip() and first_named(tag, HEADING_NAMES) is None:
                text = clean_heading(value.replace("-", " ").replace("_", " "))
                if text:
                    self.events.append(Heading(text, "attr", 7, tag))
                return

    def _list(self, tag: Element, depth: int) -> None:
        self.flush()
        if _is_label_list(tag):  # each item is a section: walk the items as paragraphs
            saved, self._in_item = self._in_item, 0
            for item in tag.iterchildren("li"):
                self.boundary()
                self.walk(item, depth + 1)
                self.boundary()
            self._in_item = saved
            return
        saved, self._in_item = self._in_item, 0  # a nested list ends its parent item's text
        self._list_depth += 1
        self.walk(tag, depth)
        self._list_depth -= 1
        self._in_item = saved
        self.flush()

    def _item(self, tag: Element, depth: int) -> None:
        self.flush()
        if not self._special and not len(tag):  # a leaf item (most of them): its one string is the line
            text = tag.text  # (normalized, a string of whitespace is empty whatever `bs_string` makes of it)
            text = normalize_inline(text) if text else ""
            if text:
                self.events.append(Line(text, "item", max(self._list_depth, 0)))
            return
        self._in_item += 1
        self.walk(tag, depth)
        self.flush()
        self._in_item -= 1

    def _dl(self, tag: Element, depth: int) -> None:
        """A definition list is a run of sections only if one of its terms names a known one."""
        self.flush()
        keyed = any(heading_key(clean_heading(self._text(dt, " "))) for dt in tag.iterdescendants("dt"))
        saved, self._dl_keyed = self._dl_keyed, keyed
        self.walk(tag, depth)
        self._dl_keyed = saved
        self.flush()

    def _table(self, table: Element, depth: int) -> None:
        """Two-column tables naming sections in their first cell become headings + content;
        other tables become one item per row, cells joined by " | "."""
        self.flush()
        rows = [r for r in table.iterdescendants("tr") if next(r.iterancestors("table")) is table]
        cells = [[c for c in r if c.tag in CELL_TAGS] for r in rows]
        if _is_layout(cells):
            for cell in (c for row_cells in cells for c in row_cells):
                self.boundary()
                self.walk(cell, depth + 2)
                self.boundary()
            return
        keyed = any(len(c) == 2 and heading_key(clean_heading(self._text(c[0], " "))) for c in cells)
        caption = next(table.iterchildren("caption"), None)
        if caption is not None:
            self.events.append(Line(normalize_inline(self._text(caption, " "))))
        for row, row_cells in zip(rows, cells):
            if keyed and len(row_cells) == 2:
                text = clean_heading(self._text(row_cells[0], " "))
                if text:
                    self.events.append(Heading(text, "th", 7, row_cells[0]))
                self.walk(row_cells[1], depth + 2)
                self.flush()
                continue
            texts = [normalize_inline(self._text(c, " ")) for c in row_cells]
            text = " | ".join(t for t in texts if t)
            if not text:
                continue
            kind = "text" if all(c.tag == "th" for c in row_cells) else "item"
            links = [self._link(a) for a in row.iterdescendants("a")]
            self.events.append(Line(text, kind, max(self._list_depth, 0) if kind == "item" else 0,
                                    links=[lk for lk in links if lk], row=True))

    def _link(self, a: Element) -> Link | None:
        """(anchor text, href resolved against the page URL, title attribute)."""
        text = normalize_inline(self._text(a, " "))
        href = a.get("href")
        href = (urljoin(self.url, href.strip()) if self.url else href.strip()) if isinstance(href, str) else None
        title = a.get("title")
        title = normalize_inline(title) if isinstance(title, str) else None
        return (text, href, title) if text or href else None
