"""A risks section → (common risks, rare risks), one risk per element.

Pages print risks as labelled lines ("Common: a, b, c"), as sub-headed lists ("Rare but
serious:" then items), as sentences ("Rare risks include a and b.") or as a plain list. The
label's words decide the bucket: rare/uncommon/infrequent/less common/serious/severe/major →
rare, anything else (common, frequent, minor, no label) → common. Items are kept whole; only
the text after a label or an "include(s)" is cut into risks. Prose counts as one risk per
paragraph only when the section holds no other risk. A sentence glued after the last
risk ("… systemic infection Immediate medical attention is necessary.") is not a risk.
"""

from __future__ import annotations

import re

from extract.document import Section
from transform.lists import split_list, strip_marker

_RARE_WORDS = re.compile(r"\b(?:rare|rarely|uncommon|infrequent|less\s+common|less\s+frequent|serious|severe"
                         r"|major|life[\s-]threatening|dangerous)\b", re.I)
_KIND = (r"(?:(?:very|most|more|less|fairly|relatively)\s+)?"
         r"(?:common|frequent|uncommon|rare|infrequent|serious|severe|minor|major)"
         r"(?:\s+(?:but|and|or)\s+(?:serious|severe|possible|important|potentially\s+serious))?")
_NOUN = r"(?:\s+(?:risks?|complications?|side[\s-]+effects?|adverse\s+(?:events?|effects?|reactions?)))?"
_LABEL = re.compile(
    rf"^\s*(?P<label>{_KIND}{_NOUN})\s*(?:\([^)]*\))?\s*"
    r"(?::|[-–—]\s|(?:may|can|might)\s+(?:include|be)\b:?|includes?\b:?|are\b:?|involve\b:?)\s*",
    re.I,
)
_LABEL_ONLY = re.compile(rf"^\s*(?P<label>{_KIND}{_NOUN})\s*:?\s*$", re.I)
_SUFFIX_LABEL = re.compile(rf"\s*(?:\((?P<p>{_KIND})\)|[-–—:]\s*(?P<d>{_KIND}))\s*\.?$", re.I)
# A character `_SUFFIX_LABEL` cannot match without: most items have none, and the search for
# a suffix tries every position of the item.
_SUFFIX_MARK = re.compile("[(\\-–—:]")
_PROSE_LIST = re.compile(r"\b(?:include|includes|including|such\s+as|are|consist\s+of|involve)\b:?\s*|:\s+", re.I)
_RISK_TALK = re.compile(r"\b(?:risks?|complications?|side[\s-]+effects?|dangers?|adverse|common|rare)\b", re.I)
_GLUED_SENTENCE = re.compile(r"^(?P<risk>.*?[a-z0-9)])\s+(?P<tail>[A-Z][a-z']+(?:\s+\S+){3,}[.!])$")
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
# "bleeding, infection and, rarely, nerve damage": the marker turns the rest of the series rare.
_RARE_TURN = re.compile(
    r"(?:(?:^|,)\s*(?:(?:and|or)\b\s*,?\s*)?|\b(?:and|or)\s*,?\s*)"
    r"(?:more\s+rarely|rarely|in\s+rare\s+(?:cases|instances)|less\s+commonly|uncommonly)\b\s*,?\s*",
    re.I,
)
# "These include a, b": a pronoun standing for the section's risks.
_PRONOUN = re.compile(r"^\s*(?:these|they|those)(?:\s+(?:may|can|might|could))?\s*$", re.I)


def _lists_by_pronoun(before: str, verb: str) -> bool:
    """"These include a, b" lists risks; "These are usually mild" does not."""
    return bool(_PRONOUN.match(before)) and verb.lower().startswith("includ")


def _bucket(label: str) -> str:
    return "rare" if _RARE_WORDS.search(label) else "common"


def _trim(risk: str) -> str:
    """A risk without a sentence glued after it."""
    glued = _GLUED_SENTENCE.match(risk)
    return glued.group("risk") if glued else risk


def _split(text: str) -> list[str]:
    return split_list(_trim(text.strip()), split_lone_and=True)


class _Collector:
    """Risks in page order, into the bucket the latest label chose."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        self.out: dict[str, list[str]] = {"common": [], "rare": []}

    def add(self, risks: list[str], bucket: str | None = None) -> None:
        self.out[bucket or self.bucket].extend(r for r in risks if r)

    def series(self, text: str, bucket: str | None = None) -> None:
        """Cut "a, b and, rarely, c" into risks: before the marker in `bucket`, after it rare."""
        turn = _RARE_TURN.search(text)
        if turn is None:
            self.add(_split(text), bucket)
            return
        self.add(_split(text[: turn.start()]), bucket)
        self.add(_split(text[turn.end():]), "rare")

    def item(self, text: str) -> None:
        if self.label(text):
            return
        suffix = _SUFFIX_LABEL.search(text) if _SUFFIX_MARK.search(text) else None
        if suffix and suffix.start() > 0:
            self.add([_trim(text[: suffix.start()])], _bucket(suffix.group("p") or suffix.group("d")))
        else:
            self.add([_trim(text)])

    def label(self, text: str) -> bool:
        """Handle a labelled line ("Rare: a, b" or a bare "Common risks:"); False if unlabelled."""
        only = _LABEL_ONLY.match(text)
        if only:
            self.bucket = _bucket(only.group("label"))
            return True
        labelled = _LABEL.match(text)
        if labelled is None:
            return False
        self.bucket = _bucket(labelled.group("label"))
        self.series(text[labelled.end():])
        return True

    def paragraph(self, text: str) -> str | None:
        """Cut labelled sentences and "risks include a, b" lists into risks; return the prose left."""
        prose: list[str] = []
        for sentence in _SENTENCES.split(text):
            if self.label(sentence):
                continue
            intro = _PROSE_LIST.search(sentence)
            before = sentence[: intro.start()] if intro else ""
            if intro and (_RISK_TALK.search(before) or _lists_by_pronoun(before, intro.group(0))):
                bucket = _bucket(before) if _RARE_WORDS.search(before) or "common" in before.lower() else None
                self.series(sentence[intro.end():], bucket)
            elif sentence.rstrip().endswith(":"):
                if _RISK_TALK.search(sentence):
                    self.bucket = _bucket(sentence)
            else:
                prose.append(sentence)
        return " ".join(prose) or None


def split_risks(section: Section) -> tuple[list[str], list[str]]:
    """(risks_common, risks_rare) of one section; its heading ("Rare complications") sets the
    starting bucket, unlabelled risks are common. Prose paragraphs count (one risk each) only
    when nothing else in the section is a risk ("There are no known risks; …")."""
    collector = _Collector(_bucket(section.heading))
    prose: list[str] = []
    for block in section.blocks:
        text = strip_marker(block.text)
        if not text:
            continue
        if block.kind == "item":
            collector.item(text)
        else:
            rest = collector.paragraph(text)
            if rest:
                prose.append(rest)
    if not collector.out["common"] and not collector.out["rare"]:
        collector.add([_trim(p) for p in prose])
    return collector.out["common"], collector.out["rare"]
