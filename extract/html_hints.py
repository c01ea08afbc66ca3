"""Places outside the body text that may name a page's code: `<title>`, meta tags, JSON-LD,
microdata and breadcrumbs. Read before chrome is dropped, since breadcrumbs are chrome.

Hint formats (`CodeHint.where` → `text`):
- `title` → the `<title>` text; `meta:<name>` → the tag's content (name, property or itemprop,
  lower-cased, e.g. `meta:og:title`); `meta:<itemprop>` also for body microdata such as
  `<span itemprop="codeValue">99213</span>` (itemprop kept as printed).
- `jsonld` → one hint per JSON-LD object that has any field of interest, as
  `field=value` pairs joined by "; " in `selectors.JSONLD_FIELDS` order, nested objects
  flattened with dotted names, e.g. `@type=MedicalCode; codeValue=99213; codingSystem=CPT`.
- `breadcrumb` → one hint per crumb, in order.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from extract.document import CodeHint
from extract.html_tree import Element, class_id_test, is_plain, plain_text, text_of
from extract.selectors import (
    BREADCRUMB_ARIA, BREADCRUMB_CLASS_ID, BREADCRUMB_ITEMTYPE, JSONLD_FIELDS, META_NAME_PATTERN,
    META_NAMES, MICRODATA_PROPS,
)
from transform.code_evidence import TOKEN
from transform.codes import fits
from transform.text import normalize_inline

_CRUMB_SEPARATORS = re.compile(r"\s+[›»>|/\\]\s+|\s*[›»]\s*")
_CRUMB_TAGS = frozenset({"nav", "ol", "ul", "div", "p", "span"})
_MAX_JSONLD_OBJECTS = 50  # a hostile page can nest thousands; the code is in the first few


def head_hints(title: Element | None, metas: list[Element], scripts: list[Element],
               itemprops: list[Element]) -> list[CodeHint]:
    """Title, meta, JSON-LD and microdata hints, in that order, from tags the caller found
    in its single pass over the tree (`<meta>`, JSON-LD `<script>`, `[itemprop]`)."""
    hints: list[CodeHint] = []
    if title is not None:
        text = normalize_inline(text_of(title, " "))
        if text:
            hints.append(CodeHint("title", text))
    for meta in metas:
        name = meta.get("name") or meta.get("property") or meta.get("itemprop")
        content = meta.get("content")
        if not isinstance(name, str) or not isinstance(content, str):
            continue
        lowered = name.strip().lower()
        if lowered in META_NAMES or META_NAME_PATTERN.search(lowered):
            text = normalize_inline(content)
            if text:
                hints.append(CodeHint(f"meta:{lowered}", text))
    for script in scripts:
        hints.extend(CodeHint("jsonld", text) for text in _jsonld_texts(text_of(script)))
    for tag in itemprops:
        prop = str(tag.get("itemprop"))
        if tag.tag != "meta" and prop.lower() in MICRODATA_PROPS:
            text = normalize_inline(text_of(tag, " "))
            if text:
                hints.append(CodeHint(f"meta:{prop}", text))
    return hints


def is_jsonld(tag: Element) -> bool:
    kind = tag.get("type")
    return tag.tag == "script" and isinstance(kind, str) and "ld+json" in kind.lower()


def _jsonld_texts(raw: str) -> list[str]:
    """Readable `field=value; …` text for each JSON-LD object with fields of interest."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    texts: list[str] = []
    stack = [data]
    while stack and len(texts) < _MAX_JSONLD_OBJECTS:
        node = stack.pop(0)
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            pairs = [f"{k}={v}" for k, v in _fields(node, "") if v]
            if any(not p.startswith("@type=") for p in pairs):
                texts.append("; ".join(pairs))
            stack.extend(v for k, v in node.items() if isinstance(v, (list, dict)) and k not in JSONLD_FIELDS)
    return texts


def _fields(node: dict, prefix: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name in JSONLD_FIELDS:
        value = node.get(name)
        if isinstance(value, dict) and not prefix:
            out.extend(_fields(value, f"{name}."))
        elif isinstance(value, list):
            out.append((prefix + name, ", ".join(normalize_inline(str(v)) for v in value if isinstance(v, (str, int, float)))))
        elif isinstance(value, (str, int, float)):
            out.append((prefix + name, normalize_inline(str(value))))
    return out


def breadcrumb_hints(trail: Element | None) -> list[CodeHint]:
    """One hint per crumb of a breadcrumb trail (see `is_breadcrumb`)."""
    if trail is None:
        return []
    items = list(trail.iterdescendants("li"))
    if items:
        read = plain_text if is_plain(trail) else text_of  # (then so is every crumb: ask once)
        texts = [normalize_inline(read(li, " ")) for li in items]
    else:  # "Home › CPT › 99213": anchors plus a plain last crumb, split on the separators
        texts = _CRUMB_SEPARATORS.split(normalize_inline(text_of(trail, " ")))
        if len(texts) == 1:
            texts = [normalize_inline(text_of(a, " ")) for a in trail.iterdescendants("a")] or texts
    return [CodeHint("breadcrumb", t.strip(" /›»>|")) for t in texts if t.strip(" /›»>|")]


def is_breadcrumb(tag: Element) -> bool:
    """A breadcrumb trail by ARIA label, schema.org type, or class/id."""
    if tag.tag not in _CRUMB_TAGS:
        return False
    label = tag.get("aria-label")
    itemtype = tag.get("itemtype")
    if (isinstance(label, str) and BREADCRUMB_ARIA.search(label)) or (
        isinstance(itemtype, str) and BREADCRUMB_ITEMTYPE in itemtype
    ):
        return True
    return _breadcrumb_class(tag)


_breadcrumb_class = class_id_test(BREADCRUMB_CLASS_ID)


# --- code tokens in headings ------------------------------------------------------------------
_CODE_TOKEN = re.compile(TOKEN)


@lru_cache(maxsize=4096)
def code_tokens(text: str) -> frozenset[str]:
    """Code-shaped tokens in a heading ("Compare: CPT 20611" → {"20611"}), upper-cased and
    without dots, so a heading naming another code can be told from one naming the page's.
    Kept per text: pages share most headings, and checking a token's shape is not cheap."""
    return frozenset(t.upper().replace(".", "") for t in _CODE_TOKEN.findall(text) if fits(None, t))
