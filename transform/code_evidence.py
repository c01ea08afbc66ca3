"""Evidence of a page's code and code system, read from one place at a time.

Each reader turns one place (a heading, the `<title>`, a breadcrumb, a meta tag, JSON-LD,
the URL or file name) into `Evidence` items; `transform.code_detect.detect_code` ranks them. A code
read without a system label next to it is only taken when it has the shape of a code
(`strict`), so prose numbers never become codes; a code right after a label or in a
structured field is taken as printed, so a malformed code reaches validation instead of
vanishing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlsplit

from transform import code_systems as cs
from transform.codes import LABEL_RE, canonical_system, fits, label_system, may_name_system, squash


@dataclass(frozen=True)
class Evidence:
    """One reading: the system (canonical) and/or the raw code, and where they were read."""

    where: str
    system: str | None = None
    code: str | None = None
    strict: bool = False  # the code has the shape of a code of `system` (or of a core system)
    ambiguous: str | None = None  # squashed family label ("icd10") when the label named no variant
    choices: tuple[str, ...] = ()  # several systems named together ("HCPCS Level II / CDT"), no `system`
    explicit: bool = False  # the code was printed as a code (after a label, in a code field), not spotted by shape

    @property
    def paired(self) -> bool:
        return self.system is not None and self.code is not None

    @property
    def options(self) -> tuple[str, ...]:
        """The systems this reading allows (one, or the ones named together)."""
        return (self.system,) if self.system else self.choices


# Evidence's fields after `where`, for readings kept independent of where the text was read.
Reading = tuple[str | None, str | None, bool, str | None, tuple[str, ...], bool]


def _named(labels: list[tuple[str, str | None]]) -> Reading | None:
    """A system-only reading from the labels a text prints (None when it prints none)."""
    systems = tuple(dict.fromkeys(s for s, _ in labels))
    if len(systems) == 1:
        return systems[0], None, False, labels[0][1], (), False
    return (None, None, False, None, systems, False) if systems else None


# A code token holds a digit and may carry inner dots or hyphens (E11.65, 2345-7), never a
# trailing one ("O24.4-" reads as O24.4).
TOKEN = r"(?=[A-Za-z]*\d)[A-Za-z0-9](?:[A-Za-z0-9]|[.\-](?=[A-Za-z0-9]))*"
_TOKEN_RE = re.compile(TOKEN)
_DIGIT = re.compile(r"\d")
_LABEL_THEN_CODE = re.compile(
    rf"(?P<label>{LABEL_RE.pattern})[®™©*]?\s*"
    r"(?:(?:diagnosis|procedure|dental|dx|px)\s+)?(?:codes?\s*)?(?:(?:no\.?|number|#)\s*)?[:#\-–—]?\s*"
    rf"(?P<code>{TOKEN})(?![A-Za-z0-9])",
    re.I,
)
# "Code: Z96.652 (ICD-10-CM)", "Code 99214 (CPT®)", "Z96.651 (ICD-10-CM)": the code, then its
# system in brackets right after it (without the word "code" the value must fit the system).
# Either way the match opens a word, which the leading assertions say first: the engine then
# skips the other positions at once (a third of the scan), and no match changes.
_CODE_THEN_LABEL = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z0-9])"
    rf"(?P<kw>(?<![A-Za-z0-9])codes?\s*[:#]?\s*)?(?<![A-Za-z0-9.\-])(?P<code>{TOKEN})\s*[(\[]\s*"
    rf"(?P<label>{LABEL_RE.pattern})[®™©*]?\s*(?:codes?\s*)?[)\]]",
    re.I,
)
_LEADING = re.compile(rf"^[\s(\[]*(?P<code>{TOKEN})(?=$|[\s:|,;)\]–—]|-\s|\.(?:\s|$))")
_TRAILING = re.compile(rf"(?:^|[\s(\[|:–—-])(?P<code>{TOKEN})[)\]]?\s*$")
_CRUMB_SPLIT = re.compile(r"\s*(?:>|›|»|/|\||→|::|»)\s*")


def leading_code(text: str) -> str | None:
    """The code-shaped token a line starts with ("E11.10 Type 2 diabetes…" → "E11.10"), if any."""
    match = _LEADING.match(text)
    return match.group("code") if match and fits(None, match.group("code")) else None


def from_text(where: str, text: str) -> list[Evidence]:
    """Readings from a free text (heading, title, label, lead): labelled codes, a leading or
    trailing code, and the system when the text names exactly one."""
    return [Evidence(where, *reading) for reading in _text_readings(text)]


@lru_cache(maxsize=4096)
def _text_readings(text: str) -> tuple[Reading, ...]:
    """`from_text`'s readings, kept per text: a page's main heading is read three times (as
    descriptor, as h1 hint, for the codes it names). The label regexes run only on a text
    that may hold a label (most texts hold none; both regexes need one)."""
    out: list[Reading] = []
    labels = list(LABEL_RE.finditer(text)) if may_name_system(text) else []
    if labels:
        # A labelled code opens with a label, so none starts before the first one (the scan
        # of the text ahead of it is skipped; the label's lookbehind still sees that text).
        found = [*_LABEL_THEN_CODE.finditer(text, labels[0].start())]
        if "(" in text or "[" in text:  # `_CODE_THEN_LABEL` needs a bracket; most texts have none
            found = sorted([*found, *_CODE_THEN_LABEL.finditer(text)], key=lambda m: m.start())
        for m in found:
            system, family = label_system(m.group("label"))
            code = m.group("code")
            if m.re is _CODE_THEN_LABEL and not m.group("kw") and not fits(system, code):
                continue  # "Type 2 (ICD-10-CM)": a bracketed label after a number that is no code
            out.append((system, code, fits(system, code), family, (), True))
    named = _named([label_system(m.group(0)) for m in labels])
    if not out:
        system, family = (named[0], named[3]) if named else (None, None)
        for find in (_LEADING.search, _trailing):
            m = find(text)
            if m and fits(system, m.group("code")):
                out.append((system, m.group("code"), True, family, (), False))
                break
    if named and not any(r[0] for r in out):
        out.append(named)
    return tuple(out)


def _trailing(text: str) -> re.Match | None:
    """`_TRAILING.search(text)`, started at the text's last whitespace: a match runs to the end
    and holds no whitespace after its first character, so none starts earlier, and trying
    every earlier position of a long text cost several µs."""
    kept = text.rstrip()
    words = kept.rsplit(None, 1)
    start = len(kept) - len(words[-1]) - 1 if words else 0
    return _TRAILING.search(text, max(start, 0))


def from_breadcrumb(where: str, text: str) -> list[Evidence]:
    """The last crumb naming a code is the page's; the system may be named by any crumb."""
    crumbs = [c for c in _CRUMB_SPLIT.split(text) if c]
    out: list[Evidence] = []
    for crumb in reversed(crumbs):
        found = [e for e in from_text(where, crumb) if e.code]
        if found:
            out.extend(found)
            break
    named = _named([label_system(m.group(0)) for c in crumbs for m in LABEL_RE.finditer(c)])
    if named and not any(e.system for e in out):
        out.append(Evidence(where, *named))
    return out


_CODE_FIELDS = frozenset({"code", "codevalue", "termcode", "identifier", "dcidentifier", "notation",
                          "medicalcode", "codenumber"})
_SYSTEM_FIELDS = frozenset({"codingsystem", "codesystem", "incodeset", "indefinedtermset", "codetype",
                            "system", "vocabulary", "propertyid", "codeset"})
_TEXT_FIELDS = frozenset({"name", "headline", "alternatename"})
_PAIR_SPLIT = re.compile(r";\s+")
_PAIR_NAME = re.compile(r"[@A-Za-z][\w@.:-]{0,60}")
_FIELD_VALUE = re.compile(r"^\s*([A-Za-z@:_.\-]{2,40})\s*[:=]\s*(.+?)\s*$", re.S)


def system_value(value: str) -> tuple[str | None, str | None]:
    """A system named by a structured field: a label ("CPT") or a URL ("…/cpt")."""
    system = canonical_system(value)
    if system:
        key = squash(value)
        return system, (key if key in cs.AMBIGUOUS_ALIASES else None)
    return url_system(value)


def _from_fields(where: str, fields: dict[str, object]) -> list[Evidence]:
    """One structured object (a JSON-LD node, a meta tag): code and system fields pair up."""
    code = system = family = None
    out: list[Evidence] = []
    for name, value in fields.items():
        field = squash(name)
        if isinstance(value, dict):
            nested = _from_fields(where, value)
            if field in _SYSTEM_FIELDS and not any(e.code for e in nested):
                system, family = system_value(str(value.get("name") or value.get("@id") or ""))
            else:
                out.extend(nested)
        elif isinstance(value, list):
            for v in value:
                out.extend(_from_fields(where, v) if isinstance(v, dict) else [])
        elif isinstance(value, (str, int)) and str(value).strip():
            value = str(value).strip()
            if field in _CODE_FIELDS and _DIGIT.search(value):
                code = value
            elif field in _SYSTEM_FIELDS:
                system, family = system_value(value)
            elif field in _TEXT_FIELDS:
                out.extend(from_text(where + ":text", value))
    if code or system:
        out.insert(0, Evidence(where, system, code, bool(code) and fits(system, code), family, explicit=bool(code)))
    return out


def _pairs(text: str) -> dict[str, object] | None:
    """`@type=MedicalCode; code.codeValue=99213; code.codingSystem=CPT` (the HTML parser's
    JSON-LD hint) → nested fields; None when the text is not such pairs."""
    fields: dict[str, object] = {}
    for pair in _PAIR_SPLIT.split(text.strip()):
        name, sep, value = pair.partition("=")
        if not sep or not _PAIR_NAME.fullmatch(name.strip()):
            return None
        head, _, rest = name.strip().partition(".")
        if rest:
            node = fields.setdefault(head, {})
            if isinstance(node, dict):
                node[rest] = value.strip()
        else:
            fields[head] = value.strip()
    return fields or None


def from_structured(where: str, text: str) -> list[Evidence]:
    """JSON-LD (JSON, `field=value; …` pairs or "field: value") or a meta tag (`meta:<name>`)."""
    if where.startswith("jsonld"):
        # Text that opens with no bracket is a JSON scalar or no JSON: never a node, so it goes
        # straight to `_pairs` (which finds no pairs in a scalar) instead of a failing parse.
        try:
            data = json.loads(text) if text.lstrip()[:1] in ("{", "[") else _pairs(text)
        except ValueError:
            data = _pairs(text)
        if isinstance(data, (dict, list)):
            nodes = data if isinstance(data, list) else [data]
            return [e for n in nodes if isinstance(n, dict) for e in _from_fields("jsonld", n)]
    name = where.split(":", 1)[1] if ":" in where else ""
    m = _FIELD_VALUE.match(text) if not name else None
    if m:
        name, text = m.group(1), m.group(2)
    field = squash(name.split(":")[-1]) if name else ""
    if field in _CODE_FIELDS or field in _SYSTEM_FIELDS:
        return _from_fields(where.split(":")[0], {field: text})
    return from_text(where.split(":")[0] + ":text", text)


# --- URLs and file names ---------------------------------------------------------------------
_URL_TOKEN_MAP = {**cs.URL_TOKENS, **cs.URL_AMBIGUOUS_TOKENS}
_URL_TOKEN_RE = re.compile(
    r"(?<![a-z0-9])(" + "|".join(re.escape(t) for t in sorted(_URL_TOKEN_MAP, key=len, reverse=True))
    + r")(?![a-z0-9])"
)
_PAGE_EXT = re.compile(r"\.(?:html?|shtml|xhtml|txt|php\d?|aspx?|jsp|cfm|json|xml)$", re.I)
_SEGMENT_SPLIT = re.compile(r"[-_+~,\s]+")
_GLUED = re.compile(r"^(" + "|".join(sorted((t for t in _URL_TOKEN_MAP if t.isalnum()), key=len, reverse=True))
                    + r")(\d\S*)$", re.I)


def _token_system(token: str) -> tuple[str | None, str | None]:
    token = token.lower()
    if token in cs.URL_AMBIGUOUS_TOKENS:
        family = cs.URL_AMBIGUOUS_TOKENS[token]
        return cs.AMBIGUOUS_DEFAULT[family], family
    return cs.URL_TOKENS.get(token), None


def url_system(text: str) -> tuple[str | None, str | None]:
    """The most specific (last) system token in a URL or file name."""
    found = _URL_TOKEN_RE.findall(unquote(text).lower())
    return _token_system(found[-1]) if found else (None, None)


_ICD_CATEGORY = re.compile(r"^[A-Za-z]\d[0-9A-Za-z]$")
_ICD_SUBCODE = re.compile(r"^(?=\D*\d)[0-9A-Za-z]{1,4}$")


def _slug_dot(system: str | None, token: str, following: list[str]) -> str:
    """A slug writes the ICD-10-CM dot as a hyphen ("z96-651" → "z96.651"); other systems,
    or a category followed by no subcode, keep the token as is."""
    if system not in (None, cs.ICD10CM) or not _ICD_CATEGORY.match(token) or not following:
        return token
    dotted = f"{token}.{following[0]}"
    return dotted if _ICD_SUBCODE.match(following[0]) and fits(cs.ICD10CM, dotted) else token


def _segment_codes(segment: str, system: str | None) -> tuple[str | None, str | None]:
    """(strict code, loose code) of one path segment or file name."""
    tokens = [t for t in _SEGMENT_SPLIT.split(_PAGE_EXT.sub("", segment)) if t]
    loose = None
    after_system = False
    for i, token in enumerate(tokens):
        glued = _GLUED.match(token)
        if glued:
            token, after_system = glued.group(2), True
        if _TOKEN_RE.fullmatch(token) and fits(system, token):
            return _slug_dot(system, token, tokens[i + 1 : i + 2]), None
        if after_system and loose is None and _DIGIT.search(token) and 2 < len(token) < 13:
            loose = token
        after_system = _token_system(token)[0] is not None
    return None, loose


def from_url(url: str) -> list[Evidence]:
    """Readings from a page address: `url` for web paths and query, `filename` for local files."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    segments = [s for s in path.split("/") if s]
    if parts.scheme == "file" or not parts.scheme:
        where, segments, scope = "filename", segments[-1:], segments[-1:]
    else:
        where, scope = "url", [parts.netloc, *segments]
    system, family = url_system("/".join(scope))
    out: list[Evidence] = []
    for key, value in parse_qsl(parts.query):
        if squash(key) in _CODE_FIELDS and _DIGIT.search(value):
            out.append(Evidence(where, system, value, fits(system, value), family))
        elif squash(key) in _SYSTEM_FIELDS | {"type"}:
            system, family = system_value(value)
    loose_seen = None
    for i in range(len(segments) - 1, -1, -1):
        segment = segments[i]
        after = i > 0 and _token_system(segments[i - 1])[0] is not None
        strict, loose = _segment_codes(segment, system)
        if strict:
            out.append(Evidence(where, system, strict, True, family))
            break
        if after and loose is None and _DIGIT.search(segment):
            loose = _PAGE_EXT.sub("", segment)
        loose_seen = loose_seen or loose
    else:
        if loose_seen:
            out.append(Evidence(where, system, loose_seen, False, family))
    if system and not any(e.system for e in out):
        out.append(Evidence(where, system, None, False, family))
    return out
