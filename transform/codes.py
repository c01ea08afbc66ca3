"""Codes and code-system labels in canonical form, code formats, and licenses.

The schema stage calls `is_valid_code` for its `code_format` check; detection of a page's
code lives in `transform.code_detect`, which reads places through `transform.code_evidence`.
All system knowledge (aliases, formats, licenses) is data in `transform.code_systems`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from transform import code_systems as cs

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_MARKS = re.compile("[®™©*]")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[^0-9A-Za-z]+|[^0-9A-Za-z]+$")


def squash(text: str) -> str:
    """Lower case, letters and digits only: the key every alias table is looked up by."""
    return _NON_ALNUM.sub("", text.lower())


_ALIAS_SYSTEM: dict[str, str] = {squash(a): s for s, aliases in cs.SYSTEM_ALIASES.items() for a in aliases}
_ALIAS_SYSTEM.update(cs.AMBIGUOUS_DEFAULT)
_SUFFIXES = tuple(sorted(cs.LABEL_SUFFIX_WORDS, key=len, reverse=True))


def _alias_pattern(alias: str) -> str:
    parts = re.findall(r"[A-Za-z]+|\d+", alias)
    return r"[\s\-_./®™,]*".join(re.escape(p) for p in parts)


_LABELS = sorted({a for aliases in cs.SYSTEM_ALIASES.values() for a in aliases} | {"ICD-10", "ICD 10"},
                 key=lambda a: len(squash(a)), reverse=True)


def _label_start(labels: list[str]) -> str:
    """Lookaheads for the first one and two characters a label can open with. They change no
    match (every alternative opens with them), but the engine then tries the alternatives only
    where a label may begin: scanning a text for labels costs half as much or less."""
    words = {re.findall(r"[A-Za-z]+|\d+", a)[0].lower() for a in labels}  # as `_alias_pattern` cuts them
    firsts = "".join(sorted({w[0] for w in words}))
    pairs = "|".join(sorted({w[:2] for w in words}))
    return f"(?=[{firsts}])(?={pairs})"


# Any printed code-system label, whatever its spacing and marks ("CPT®", "ICD 10 CM"); never the
# head of a longer hyphenated word ("ICD-10" is not read out of "ICD-10-XY").
LABEL_RE = re.compile(
    r"(?<![A-Za-z0-9])" + _label_start(_LABELS)
    + "(?:" + "|".join(_alias_pattern(a) for a in _LABELS) + r")(?![A-Za-z0-9]|-[A-Za-z0-9])",
    re.I,
)


def _label_anchors(labels: list[str]) -> tuple[str, ...]:
    """A few lower-case words, one of which every label spells out whole (greedy set cover,
    longer words first on a tie, since short ones turn up in prose)."""
    parts = {a: {p.lower() for p in re.findall(r"[A-Za-z]+", a)} for a in labels}
    anchors: list[str] = []
    left = set(labels)
    while left:
        best = max(sorted({p for a in left for p in parts[a]}),
                   key=lambda p: (sum(p in parts[a] for a in left), len(p)))
        anchors.append(best)
        left = {a for a in left if best not in parts[a]}
    return tuple(anchors)


_LABEL_ANCHORS = _label_anchors(_LABELS)
_LABEL_ANCHOR_RE = re.compile("|".join(_LABEL_ANCHORS), re.I)
# The same words for lower-cased ASCII text: one scan for all of them costs less than a
# substring test per word, and far less than the `re.I` scan.
_LOWER_ANCHOR_RE = re.compile("|".join(map(re.escape, _LABEL_ANCHORS)))


def may_name_system(text: str) -> bool:
    """False when `LABEL_RE` surely finds nothing in `text`: a cheap test run before the
    label regexes, which cost ~10 µs per text and find nothing in most texts. (ASCII text is
    lower-cased and searched for the anchors; other text goes through the same `re.I` rules
    as `LABEL_RE`, under which "ſ" reads as "s".)"""
    if text.isascii():
        return _LOWER_ANCHOR_RE.search(text.lower()) is not None
    return _LABEL_ANCHOR_RE.search(text) is not None


def label_system(label: str) -> tuple[str, str | None]:
    """Canonical system of a label matched by `LABEL_RE`, plus its family key when the label
    names only the family ("ICD-10")."""
    key = squash(label)
    return _ALIAS_SYSTEM[key], (key if key in cs.AMBIGUOUS_ALIASES else None)


def canonical_system(label: str) -> str | None:
    """`CPT4 code`, `CPT®`, `ICD-10 Diagnosis Code` → `CPT`, `CPT`, `ICD-10-CM`; None when the
    label names no known system (or names several)."""
    key = squash(_MARKS.sub("", label))
    if key in _ALIAS_SYSTEM:
        return _ALIAS_SYSTEM[key]
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in _ALIAS_SYSTEM:
            return _ALIAS_SYSTEM[key[: -len(suffix)]]
    systems = {label_system(m.group(0))[0] for m in LABEL_RE.finditer(label)}
    return systems.pop() if len(systems) == 1 else None


@lru_cache(maxsize=8192)  # pure, and asked about the same few tokens many times per page
def canonical_code(system: str, raw: str) -> str:
    """Upper case, no spaces or edge punctuation; ICD-10-CM with its dot after the 3rd character
    (`s72001a` → `S72.001A`, `E1165` → `E11.65`)."""
    if raw.isascii() and raw.isalnum():  # nothing to remove (most codes)
        code = raw.upper()
    else:
        code = _EDGE_PUNCT.sub("", _SPACES.sub("", _MARKS.sub("", raw)).upper())
    if system in cs.DOTTED_AFTER_3:
        code = code.replace(".", "")
        if len(code) > 3:
            code = f"{code[:3]}.{code[3:]}"
    return code


def is_valid_code(system: str, code: str) -> bool:
    """Whether a canonical code fits its system's format; systems without a known format pass
    (their labels are trusted, their shapes are not ours to police)."""
    pattern = cs.CODE_FORMATS.get(system)
    return bool(code) and (pattern is None or pattern.fullmatch(code) is not None)


@lru_cache(maxsize=8192)
def fits(system: str | None, raw: str) -> bool:
    """Whether a raw code has the shape of a `system` code (of any core system when unknown)."""
    systems = (system,) if system else cs.CORE_SYSTEMS
    return any(is_valid_code(s, canonical_code(s, raw)) for s in systems)


def resolve_family(family: str | None, system: str, code: str) -> str:
    """The variant a family label ("ICD-10") means for this code: PCS when the code only fits
    ICD-10-PCS (it begins with a digit, or is undotted with PCS letters), else the default."""
    if family not in cs.AMBIGUOUS_ALIASES:
        return system
    default, other = cs.AMBIGUOUS_ALIASES[family]
    if not fits(default, code) and fits(other, code):
        return other
    return default


def license_for(system: str, code: str) -> str:
    """Whose terms govern the descriptor: HCPCS D-codes are the ADA's CDT content."""
    if system == cs.HCPCS and code.upper().startswith(cs.HCPCS_CDT_PREFIX):
        return cs.ADA_CDT
    return cs.LICENSES.get(system, cs.UNKNOWN_LICENSE)


def license_notice(license_id: str) -> str | None:
    """The notice a snapshot holding text under `license_id` must carry (None: none needed)."""
    return cs.LICENSE_NOTICES.get(license_id)
