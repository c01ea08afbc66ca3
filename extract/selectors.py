"""Every selector, class pattern and marker pattern the section parsers use, in one data module.

Kept apart from the logic (as trafilatura keeps `xpaths.py`) so that supporting a new site
layout is a data change. Class/id patterns are matched against each class token and the id
separately, anchored, so `card-header` is never taken for the page `header`.
"""

from __future__ import annotations

import re

# --- chrome: dropped wherever found (unless it holds the main heading) ----------------------
# Never carry content; their text is code or markup, not page text.
DROP_TAGS: frozenset[str] = frozenset({
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "video", "audio", "map", "head", "link", "meta", "input", "select", "textarea", "option",
    "datalist", "dialog",
})
# Page furniture by element name.
CHROME_TAGS: frozenset[str] = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
CHROME_ROLES: frozenset[str] = frozenset({
    "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar",
    "toolbar", "dialog", "alertdialog", "alert",
})
# Anchored against one class token or the id (lower-cased).
CHROME_CLASS_ID = re.compile(
    r"^(?:"
    r"(?:site|global|top|primary|mobile)[-_]?(?:nav|navigation|menu|header|footer|search)[\w-]*"
    r"|page[-_]?(?:nav|navigation|menu|footer)[\w-]*|toc|table[-_]of[-_]contents|on[-_]this[-_]page"
    r"|nav|navbar|navigation|nav[-_][\w-]+|[\w-]+[-_]nav|menu|menus|menu[-_][\w-]+|mega[-_]?menu|skip[-_]?link[\w-]*"
    r"|header|footer|footer[-_][\w-]+|masthead|colophon|topbar|top[-_]bar|toolbar"
    r"|breadcrumbs?|crumbs?|bread[-_]?crumb[\w-]*"
    r"|sidebar[\w-]*|side[-_]bar[\w-]*|sidenav|widget[\w-]*|rail|right[-_]?rail|left[-_]?rail"
    r"|search|search[-_]?(?:box|bar|form|wrapper|container|widget)|searchbox|site[-_]search"
    r"|cookie[\w-]*|[\w-]*[-_]cookie[\w-]*|consent[\w-]*|gdpr[\w-]*|cc[-_](?:banner|window)"
    r"|ads?|advert[\w-]*|advertisement|ad[-_][\w-]+|[\w-]+[-_]ad|ad[-_]?slot[\w-]*|dfp[\w-]*|adsense|sponsor[\w-]*|promo[\w-]*"
    r"|share[\w-]*|social[\w-]*|sharing|addthis[\w-]*|sharethis[\w-]*"
    r"|newsletter[\w-]*|subscribe[\w-]*|signup|sign[-_]up|login|log[-_]in|modal[\w-]*|popup[\w-]*"
    r"|related[-_]?(?:posts|articles|links)|more[-_]codes|other[-_]codes|code[-_]?(?:list|index|browser|tree)"
    r"|disclaimer[-_]bar|print[-_][\w-]+|comments?|comment[-_][\w-]+|pagination|pager"
    r"|sr[-_]only|visually[-_]hidden|screen[-_]reader[-_]text"
    r")$"
)

# An h1 in a box like this is the site's name, not the page's title.
LOGO_CLASS_ID = re.compile(r"^(?:logo\w*|site[-_]?(?:title|name|logo|brand)|brand\w*|navbar[-_]brand)$")

# --- breadcrumbs: read for hints before the chrome is dropped ----------------------------
BREADCRUMB_CLASS_ID = re.compile(r"^(?:breadcrumbs?|bread[-_]?crumb\w*|crumbs?)$")
BREADCRUMB_ARIA = re.compile(r"bread\s*crumb", re.I)
BREADCRUMB_ITEMTYPE = "BreadcrumbList"

# --- content region: first candidate that holds real content wins -------------------------
CONTENT_TAGS: tuple[str, ...] = ("main", "article")
CONTENT_ROLES: tuple[str, ...] = ("main", "article")
CONTENT_CLASS_ID = re.compile(
    r"^(?:main|main[-_]?content|content|page[-_]?content|site[-_]?content|entry[-_]?content"
    r"|post[-_]?content|article[-_]?(?:body|content)|post[-_]?body|primary|code[-_]?(?:detail|details|content|page)"
    r"|content[-_]?(?:body|main|area|wrapper|inner)|body[-_]?content|single[-_]?content)$"
)

# --- headings ------------------------------------------------------------------------------
HEADING_TAGS: dict[str, int] = {f"h{n}": n for n in range(1, 7)}
# Accordion/card/tab headers that name a section: the element itself is the heading.
ACCORDION_HEADER_TAGS: frozenset[str] = frozenset({"summary"})
ACCORDION_HEADER_CLASS = re.compile(
    r"^(?:accordion[-_]?(?:header|heading|title|button|toggle|trigger|label)"
    r"|card[-_]?(?:header|heading|title)|panel[-_]?(?:heading|header|title)"
    r"|collapse[-_]?(?:header|heading|title|toggle|trigger)|collapsible[-_]?(?:header|heading|title|trigger)"
    r"|section[-_]?(?:heading|header|title|label|name)|tab[-_]?(?:title|label)"
    r"|toggle[-_]?(?:header|title|heading)|expander[-_]?(?:header|title)|faq[-_]?(?:question|title))$"
)
# Attributes that mark a clickable section header (`<button aria-controls="risks-panel">`).
ACCORDION_HEADER_ATTRS: tuple[str, ...] = ("aria-controls", "data-toggle", "data-bs-toggle", "aria-expanded")
ACCORDION_HEADER_ATTR_TAGS: frozenset[str] = frozenset({"button", "a", "div", "span", "dt", "label"})
# Attributes on a section container that carry the section's name when no heading is inside.
SECTION_NAME_ATTRS: tuple[str, ...] = ("data-section", "data-heading", "data-title", "data-section-title")
# Characters that decorate headers (toggle arrows, plus/minus, permalink anchors "#", "¶")
# and are not part of the name.
HEADING_DECORATION = "▼▾▲▴►▸›»«‹+−–-—×✕⌄⌃#¶🔗⚓ \t\n:|"

# --- inline emphasis that can open a paragraph as its label ---------------------------------
BOLD_TAGS: frozenset[str] = frozenset({"strong", "b"})
BOLD_CLASS = re.compile(r"^(?:label|field[-_]?label|term|key|bold|font[-_]?weight[-_]?bold|fw[-_]?bold)$")
LABEL_MAX_WORDS = 8
# A label saying its value is the code's descriptor ("CPT descriptor", "Long description").
DESCRIPTOR_LABEL = re.compile(
    r"^(?:[\w-]+\s+){0,2}(?:descriptor|description|long\s+desc\.?)$|^(?:long|full|official)\s+(?:name|title)$", re.I
)

# --- blocks --------------------------------------------------------------------------------
BLOCK_TAGS: frozenset[str] = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "body", "html",
    "form", "menu", "legend", "button",
})
# Controls whose text is UI ("Copy", "Show more"), unless they are accordion headers.
CONTROL_TAGS: frozenset[str] = frozenset({"button"})
LIST_TAGS: frozenset[str] = frozenset({"ul", "ol", "menu"})
CELL_TAGS: frozenset[str] = frozenset({"td", "th"})

# --- list markers (text pages and `<br>`-separated lines) -----------------------------------
# Unambiguous bullet symbols may touch the text ("•Item"); ASCII ones need a space after.
BULLET_SYMBOLS = "•◦▪▫‣●○■□◆◇►▸➤➢→✓✔✗✘·⁃∙"
LIST_MARKER = re.compile(
    r"^\s*(?:"
    rf"[{BULLET_SYMBOLS}]\s*"
    r"|[-*–—+]\s+"
    r"|(?i:step|stage|phase)\s+\d{1,3}\s*[:.)-]\s*"
    r"|\(\d{1,3}\)\s+|\d{1,3}[.)]\s+"
    r"|\([a-zA-Z]\)\s+|[a-z][.)]\s+|[A-Z]\)\s+"
    r"|\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\)\s+|(?:i|ii|iii|iv|v|vi|vii|viii|ix|x)[.)]\s+"
    r"|o\s+(?=\S)"  # Word exports print bullets as a lone "o "
    r")"  # case matters: "a." is a marker, "A." opens names ("A. Smith")
)
# A numbering that can open a section heading as well as a step ("1. Summary", "10) Recovery").
NUMBERED_MARKER = re.compile(r"^\s*\d{1,2}[.)]\s+")
# A line that only underlines the line above (or rules off a block): "=====", "-----", "~~~", "___".
UNDERLINE_LINE = re.compile(r"^\s*(?:={3,}|-{3,}|~{3,}|_{3,})\s*$")

# --- code-system labels: short texts that say which code set the page is about -------------
CODE_SYSTEM_WORDS = re.compile(
    r"\b(?:CPT|CPT[-®]?\d?|HCPCS|ICD[- ]?(?:10|9)?|ICD10\w*|ICD9\w*|PCS|CDT|SNOMED|LOINC|DRG|MS-DRG"
    r"|NDC|RxNorm|Level\s+II|Current Procedural Terminology|Diagnosis Codes?|Procedure Codes?)\b",
    re.I,
)
LABEL_HINT_MAX_WORDS = 6
CODE_LABEL_CLASS_ID = re.compile(
    r"^(?:code[-_]?(?:system|type|set|label|badge)|codesystem|codetype|system|badge\w*|label|tag|pill|chip|vocabulary)$"
)

# --- meta and JSON-LD worth surfacing as hints -----------------------------------------------
META_NAMES: frozenset[str] = frozenset({
    "description", "keywords", "title", "og:title", "og:description", "og:url",
    "twitter:title", "twitter:description", "dc.title", "dc.identifier", "dc.subject",
    "citation_title", "subject", "abstract",
})
META_NAME_PATTERN = re.compile(r"code|system|icd|cpt|hcpcs|identifier", re.I)
JSONLD_FIELDS: tuple[str, ...] = (
    "@type", "name", "alternateName", "code", "codeValue", "codingSystem", "identifier",
    "termCode", "inCodeSet", "inDefinedTermSet", "description", "headline", "url",
)
MICRODATA_PROPS: frozenset[str] = frozenset({"code", "codevalue", "codingsystem", "identifier", "termcode"})

# --- text pages: lines that are site furniture, not content ---------------------------------
CHROME_LINES = re.compile(
    r"^(?:search(?: all)?(?: medical)?(?: codes?)?|home|menu|skip to (?:main )?content|log ?in|sign ?in"
    r"|sign ?up|subscribe|share|print|back to top|advertisement|cookie.*|accept(?: all)?(?: cookies)?"
    r"|privacy policy|terms of (?:use|service))$",
    re.I,
)
# Site furniture that can stand in a page's lead but never names the code: the site's name
# ("MedCodes Reference"), a search box, a breadcrumb trail ("Home > CPT > 99214").
SITE_FURNITURE_LINES = re.compile(
    r"^(?:(?:[\w&.'’-]+\s+){0,3}(?:reference|lookup|look-up|database|directory)|search\b.*"
    r"|home\s*(?:>|›|»|/|\|).*)$",
    re.I,
)
