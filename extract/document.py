"""What a section parser hands to `transform`: the page's structure, with no interpretation.

Parsers (`extract.html_parser`, `extract.text_parser`) fill a `ParsedPage`; the
`transform` stage decides what the code, the title and each field are. Keeping the
two apart lets a normalization fix run over stored parses without touching HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    """One line of section content in page order.

    `kind` is `"text"` for a paragraph or free line and `"item"` for a list item
    (markers such as `•`, `-`, `1.` already stripped). `depth` is the list nesting
    level (0 for top-level items and for text).
    """

    text: str
    kind: str = "text"
    depth: int = 0


@dataclass
class Section:
    """A heading as printed and the content blocks under it, in order."""

    heading: str
    blocks: list[Block] = field(default_factory=list)
    context: str | None = None
    """Why the section is not about the page's own code, if it is not: `"other_code"` for a
    heading naming another code ("Compare: CPT 20611") and the sections nested under it.
    `transform` keeps such sections as rows but must not merge them into the page's fields."""

    @property
    def items(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "item"]

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "text"]

    @property
    def text(self) -> str:
        """All the section's text, items on their own lines."""
        return "\n".join(b.text for b in self.blocks)


@dataclass
class CodeHint:
    """A place on the page that may name the code or its system.

    `where` says which: `h1`, `heading`, `title`, `url`, `filename`, `breadcrumb`,
    `meta:<name>`, `jsonld`, `label` (a code-system label such as "CPT4 code"
    printed on the page), `lead` (text before the first section).
    """

    where: str
    text: str


@dataclass
class ParsedPage:
    """Structure of one page as found by a parser.

    `descriptor` is the long descriptor as the parser sees it (the main heading or the
    first lead block), `lead` the text blocks between the page top and the first
    section, `hints` every place that may name the code or system, in priority order.
    """

    sections: list[Section] = field(default_factory=list)
    descriptor: str | None = None
    lead: list[str] = field(default_factory=list)
    hints: list[CodeHint] = field(default_factory=list)
    related_links: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    """Links to other codes seen in the page's "Similar Codes"-like sections: (text, href, title)."""
