"""HTML text → an lxml element tree, read the way BeautifulSoup (lxml builder) reads it.

Why not BeautifulSoup itself: building its Python object tree is ~80% of a page's parse
cost (13.7 ms vs 0.5 ms for the same libxml2 parse into lxml's C tree on a 15 KB page; see
docs/performance.md). The parser modules keep bs4's semantics exactly, through these helpers:
- the tree: libxml2's HTML parser in recovery mode, fed the whole text, as bs4's lxml
  builder does. libxml2's own tree builder caps nesting (2048 levels) where bs4 does not,
  so a page with that many open tags is built through `etree.TreeBuilder`, which receives
  the same event stream bs4 does, uncapped;
- text (`text_of`): bs4's `get_text` — strings inside `script`/`style`/`template`/`rt`/`rp`
  belong to those tags only, comments and processing instructions are not text, and a
  string of ASCII whitespace outside `pre`/`textarea` reads as one space (or one newline);
- `class` is a list of tokens; removed elements keep their tail text (`drop`).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Callable, Iterator

from lxml import etree

Element = etree._Element
# bs4's string containers: their strings are not page text (HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS).
STRING_CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})
_PRESERVE = frozenset({"pre", "textarea"})
_SPECIAL = (*STRING_CONTAINERS, *_PRESERVE)
_SPECIAL_NAMES = frozenset(_SPECIAL)
_ASCII_SPACES = " \n\t\x0c\r"
_TOKENS = re.compile(r"\S+")  # how bs4 splits `class`
_MAX_TREE_OPENS = 2000  # below libxml2's 2048-level cap on the depth of the tree it builds
DROPPED = "medcodes-dropped"  # tag of a removed element, left as a marker so its tail stays text


def build_tree(html: str | bytes) -> Element | None:
    """The document's root `<html>` element, or None for a document with no element at all.
    `html` is text, or UTF-8 bytes: lxml encodes text as UTF-8 before parsing it, so a page
    whose bytes are valid UTF-8 is parsed from them as they are (the same tree, no re-encoding)."""
    text = isinstance(html, str)
    bom, lt, end = ("\ufeff", "<", "</") if text else (b"\xef\xbb\xbf", b"<", b"</")
    if html.startswith(bom):  # bs4 drops one leading BOM before parsing
        html = html[len(bom):]
    encoding = None if text else "utf-8"
    opens = html.count(lt)  # (an upper bound of the open tags: most pages need no second count)
    deep = opens >= _MAX_TREE_OPENS and opens - html.count(end) >= _MAX_TREE_OPENS
    if deep:
        parser = etree.HTMLParser(recover=True, huge_tree=True, target=etree.TreeBuilder(), encoding=encoding)
    else:
        parser = _parser(encoding)
    try:
        parser.feed(html)
        return parser.close()
    except BaseException as exc:
        _parsers().pop(encoding, None)  # it may be left mid-document: never feed it again
        if isinstance(exc, etree.XMLSyntaxError):  # the tree builder's "missing toplevel element": an empty page
            return None
        raise


_local = threading.local()


def _parser(encoding: str | None) -> etree.HTMLParser:
    """This thread's HTML parser for text (`encoding` None) or for bytes in `encoding`: lxml
    parsers are reusable once closed (building one is a tenth of a page's parse), but not
    shareable between threads."""
    parsers = _parsers()
    parser = parsers.get(encoding)
    if parser is None:
        parser = parsers[encoding] = etree.HTMLParser(recover=True, huge_tree=True, encoding=encoding)
    return parser


def _parsers() -> dict[str | None, etree.HTMLParser]:
    parsers = getattr(_local, "parsers", None)
    if parsers is None:
        parsers = _local.parsers = {}
    return parsers


def is_tag(node: Element) -> bool:
    """An element (comments and processing instructions are nodes too, with a non-str tag)."""
    return isinstance(node.tag, str)


def _tokens_of(cls: str | None, ident: str | None) -> list[str]:
    """Class tokens and the id, lower-cased: what class/id selector patterns match against."""
    out = [c.lower() for c in _TOKENS.findall(cls)] if cls else []
    if ident is not None:
        out.append(ident.lower())
    return out


def class_id_test(pattern: re.Pattern[str]) -> Callable[[Element], bool]:
    """A test of whether any class token or the id of an element (lower-cased) matches
    `pattern` (`class_id_tests` for one pattern)."""
    tests = class_id_tests(pattern)
    return lambda el: tests(el)[0]


def class_id_tests(*patterns: re.Pattern[str]) -> Callable[[Element], tuple[bool, ...]]:
    """Whether any class token or the id of an element (lower-cased) matches each pattern, one
    answer per pattern. The answers are kept per (class, id) value: a page repeats a few dozen
    class strings over hundreds of tags, and splitting and matching them again for each tag
    was a sixth of the parse; a loop that asks several patterns of one tag reads its class and
    id once."""

    @lru_cache(maxsize=4096)
    def matches(cls: str | None, ident: str | None) -> tuple[bool, ...]:
        tokens = _tokens_of(cls, ident)
        return tuple(any(pattern.match(t) for t in tokens) for pattern in patterns)

    def test(el: Element) -> tuple[bool, ...]:
        return matches(el.get("class"), el.get("id"))

    return test


def drop(el: Element) -> None:
    """Remove `el` and everything in it; the text after it stays where it was, as its own string."""
    el.clear(keep_tail=True)
    el.tag = DROPPED


def bs_string(text: str, preserve: bool) -> str:
    """A string as bs4 stores it: all-ASCII-whitespace collapses to "\\n" or " " outside pre."""
    if not preserve and not text.strip(_ASCII_SPACES):
        return "\n" if "\n" in text else " "
    return text


def context(el: Element) -> tuple[str | None, bool]:
    """For the strings directly inside `el`: the innermost string container around them (None
    for plain page text) and whether whitespace is preserved (inside `pre`/`textarea`)."""
    tag = el.tag
    container = tag if tag in STRING_CONTAINERS else None
    preserve = tag in _PRESERVE
    for anc in el.iterancestors():  # (a handful of ancestors: cheaper than building a tag matcher)
        tag = anc.tag
        if tag in _SPECIAL_NAMES:
            if tag in _PRESERVE:
                preserve = True
            elif container is None:
                container = tag
    return container, preserve


def strings(el: Element) -> Iterator[str]:
    """The strings bs4's `el.get_text()` joins, in order, whatever tags are around and inside `el`."""
    container, preserve = context(el)
    want = el.tag if el.tag in STRING_CONTAINERS else None
    stack: list[tuple[Element, str | None, bool, bool]] = [(el, container, preserve, False)]
    while stack:  # explicit stack: a hostile page may nest thousands of levels
        node, cont, pre, tail_only = stack.pop()
        if tail_only:
            if node.tail and cont == want:
                yield bs_string(node.tail, pre)
            continue
        if node.text and cont == want and is_tag(node):
            yield bs_string(node.text, pre)
        for child in reversed(node):
            stack.append((child, cont, pre, True))
            if is_tag(child):
                tag = child.tag
                stack.append((child, tag if tag in STRING_CONTAINERS else cont, pre or tag in _PRESERVE, False))


def is_plain(el: Element) -> bool:
    """No string container or `pre` around or inside `el`: its strings are `itertext`'s
    (document order; comment and PI text skipped, their tails kept)."""
    container, preserve = context(el)
    want = el.tag if el.tag in STRING_CONTAINERS else None
    return container == want and not preserve and next(el.iterdescendants(*_SPECIAL), None) is None


def plain_text(el: Element, separator: str = "", strip: bool = False) -> str:
    """`text_of` for an element with no string container or `pre` around or inside it (the
    common case, which a caller may know without asking `is_plain` for each element): the
    strings of `itertext`; stripped, a whitespace-only string is dropped whatever `bs_string`
    makes of it. A leaf (no child node at all) has at most one string: read without an iterator."""
    if not len(el):
        text = el.text
        if not text:
            return ""
        if strip:
            return text.strip()
        return bs_string(text, False) if text.isspace() else text
    if strip:
        return separator.join([s for s in [t.strip() for t in el.itertext()] if s])
    return separator.join([bs_string(t, False) if not t or t.isspace() else t for t in el.itertext()])


def more_words_than(el: Element, limit: int) -> bool:
    """Whether `text_of(el, " ", strip=True)` holds more than `limit` words, reading only as
    many of its strings as that takes (a chrome box may hold a whole menu)."""
    count = 0
    for string in el.itertext() if is_plain(el) else strings(el):
        count += len(string.split())
        if count > limit:
            return True
    return False


def text_of(el: Element, separator: str = "", strip: bool = False) -> str:
    """bs4's `el.get_text(separator, strip=strip)`."""
    if not len(el):  # a leaf: its one string, if it is text here (a script's own string is its text)
        container, preserve = context(el)
        text = el.text
        if not text or container != (el.tag if el.tag in STRING_CONTAINERS else None):
            return ""
        return text.strip() if strip else bs_string(text, preserve)
    if is_plain(el):  # the common case: no special tag anywhere near
        return plain_text(el, separator, strip)
    if strip:
        return separator.join(s for s in (t.strip() for t in strings(el)) if s)
    return separator.join(strings(el))
