"""Write a synthetic corpus of N code pages (up to 200k+) to disk, streaming, for benchmarks.

The pages imitate the layouts of the bundled sample (`medcodes/sample/pages/`, see its
README) and the parser fixtures: `article` pages with full site chrome, bold labels, label
paragraphs, `dl`, two-column tables, Bootstrap accordions, `<details>`, `<br>` lines, h3/h4
outlines, and plain-text pages in the seed's shape. Every page is wrapped in the furniture
real sites carry (mega-menu, breadcrumb, sidebar, footer, inline CSS and scripts, JSON-LD),
so HTML pages weigh ~10–25 KB like real ones and the parser pays for dropping chrome.

Code systems follow a full refresh's mix (ICD-10-CM ~75k, ICD-10-PCS ~78k, CPT ~11k,
HCPCS ~8k of ~172k), codes are valid for their system and unique within the corpus, and the
system is always stated on the page (label line, breadcrumb, title), never left to the
code's shape. Output is a pure function of `(seed, page index)`: the same seed gives the
same bytes, whatever N or the order of generation. `manifest.csv` lists every page with
its expected `code_system` and `code`.

    python benchmarks/generate_corpus.py --pages 100000 --out /tmp/corpus
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

# (system, weight, label printed on the page, breadcrumb crumb, URL slug)
SYSTEMS: tuple[tuple[str, int, str, str, str], ...] = (
    ("ICD-10-CM", 75, "ICD-10-CM diagnosis code", "ICD-10-CM", "icd-10-cm"),
    ("ICD-10-PCS", 78, "ICD-10-PCS procedure code", "ICD-10-PCS", "icd-10-pcs"),
    ("CPT", 11, "CPT® code", "CPT", "cpt"),
    ("HCPCS", 8, "HCPCS Level II code", "HCPCS", "hcpcs"),
)
HTML_LAYOUTS = ("article", "bold", "labelp", "dl", "table", "accordion", "details", "br", "hx")
TEXT_SHARE = 0.04  # plain-text pages in the seed's shape
_PCS_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # ICD-10-PCS never uses I or O
_CM_LETTERS = "ABCDEFGHIJKLMNOPQRSTVWXYZ"  # U is reserved
_HCPCS_LETTERS = "ABCEGHJKLPQV"


# --- codes: the n-th code of a system, injective in n ----------------------------------------
def _scramble(n: int, space: int, mult: int) -> int:
    """A bijection of range(space) (mult is coprime to space) so neighbours look unrelated."""
    return (n * mult + 7919) % space


def cpt_code(n: int) -> str:
    space = 99_400  # 00100–99499
    return f"{_scramble(n, space, 7_927) + 100:05d}"


def hcpcs_code(n: int) -> str:
    k = _scramble(n, len(_HCPCS_LETTERS) * 10_000, 104_729)
    return f"{_HCPCS_LETTERS[k // 10_000]}{k % 10_000:04d}"


def icd10cm_code(n: int) -> str:
    k = _scramble(n, len(_CM_LETTERS) * 100 * 100, 1_000_003)
    letter, k = _CM_LETTERS[k % len(_CM_LETTERS)], k // len(_CM_LETTERS)
    return f"{letter}{k % 100:02d}.{k // 100:02d}"


def icd10pcs_code(n: int) -> str:
    k = _scramble(n, 34 ** 6, 1_299_709)
    chars = ["0"]  # section 0, Medical and Surgical: the bulk of the real code set
    for _ in range(6):
        chars.append(_PCS_CHARS[k % 34])
        k //= 34
    return "".join(chars)


CODE_MAKERS: dict[str, Callable[[int], str]] = {
    "ICD-10-CM": icd10cm_code, "ICD-10-PCS": icd10pcs_code, "CPT": cpt_code, "HCPCS": hcpcs_code,
}


# --- content pools ---------------------------------------------------------------------------
_SITES = ("ORGANS", "knee", "shoulder", "hip", "spine", "colon", "stomach", "heart", "lung", "kidney",
          "liver", "skin", "eye", "ear", "bladder", "prostate", "thyroid", "breast", "ankle", "wrist")
_ACTS = ("Excision", "Repair", "Replacement", "Biopsy", "Drainage", "Injection", "Imaging", "Removal",
         "Reconstruction", "Fixation", "Aspiration", "Ablation", "Evaluation", "Insertion", "Release")
_QUALS = ("open approach", "percutaneous approach", "endoscopic", "with imaging guidance", "unilateral",
          "bilateral", "initial encounter", "subsequent encounter", "without contrast", "with contrast",
          "including report", "each additional segment", "single level", "complex")
_COND = ("Fracture", "Infection", "Stenosis", "Inflammation", "Neoplasm", "Strain", "Ulcer", "Obstruction",
         "Dislocation", "Hemorrhage", "Degeneration", "Cyst")
_SENT = (
    "The {site} is examined carefully before the {act} begins.",
    "Most patients go home the same day after a short period of observation.",
    "The clinician explains the benefits and possible risks and answers questions.",
    "Local anesthesia numbs the {site} so the procedure causes little discomfort.",
    "Imaging may be used to guide the instruments to the right place.",
    "A small dressing is applied and the patient is monitored for a short time.",
    "This service is usually performed by a specialist with specific training.",
    "Results are reviewed with the patient at a follow-up visit.",
    "Symptoms often improve within a few days, though full recovery can take weeks.",
    "The {act} of the {site} is chosen when simpler treatments have not helped.",
    "Blood thinners may need to be paused before the procedure, as advised by the doctor.",
    "The team checks vital signs before, during and after the {act}.",
)
_ITEMS = (
    "Pain in the {site} that limits daily activities", "Swelling or stiffness of the {site}",
    "Abnormal imaging of the {site}", "Failure of conservative treatment", "Bleeding",
    "Infection at the site", "Bruising", "Temporary soreness", "Reaction to anesthesia",
    "Damage to nearby structures", "Follow fasting instructions", "Arrange a ride home",
    "Stop certain medicines as advised", "Bring a list of current medications",
    "Rest for 24 hours", "Keep the dressing dry", "Resume normal activity gradually",
    "Physical therapy", "Medication", "Watchful waiting", "Injection therapy",
)
_HEADINGS: dict[str, tuple[str, ...]] = {
    "name": ("Name of the Procedure", "Common name", "Procedure name"),
    "summary": ("Summary", "Overview", "Description"),
    "purpose": ("Purpose", "Why it is done"),
    "indications": ("Indications", "When it is used", "Who needs it"),
    "preparation": ("Preparation", "How to prepare", "Before the procedure"),
    "procedure_steps": ("Procedure Description", "What happens during the procedure", "Steps"),
    "duration": ("Duration", "How long it takes"),
    "setting": ("Setting", "Where it is performed"),
    "risks": ("Risks and Complications", "Possible complications", "Risks"),
    "recovery": ("Recovery", "After the procedure"),
    "alternatives": ("Alternatives", "Other options"),
    "similar_codes": ("Similar Codes", "Related codes"),
}
_DX_HEADINGS = ("Symptoms", "Treatment", "Causes", "Diagnosis")  # no canonical key: kept as sections


@dataclass(frozen=True)
class Page:
    """One generated page and what parsing it must find."""

    index: int
    relpath: str
    body: bytes
    code_system: str
    code: str
    layout: str


class _Content:
    """The text of one page: descriptor, sections as (heading, paragraphs, items)."""

    def __init__(self, rng: random.Random, system: str, code: str, related: list[tuple[str, str]]) -> None:
        self.site, self.act = rng.choice(_SITES[1:]), rng.choice(_ACTS)
        if system == "ICD-10-CM":
            self.title = f"{rng.choice(_COND)} of {self.site}, {rng.choice(_QUALS)}"
        else:
            self.title = f"{self.act} of {self.site}, {rng.choice(_QUALS)}; {rng.choice(_QUALS)}"
        self.sections: list[tuple[str, list[str], list[str]]] = []
        keys = ["name", "summary", "purpose", "indications", "preparation", "procedure_steps",
                "duration", "setting", "risks", "recovery", "alternatives"]
        keys = [k for k in keys if k in ("name", "summary") or rng.random() < 0.8]
        for key in keys:
            heading = rng.choice(_HEADINGS[key])
            if key == "name":
                self.sections.append((heading, [f"{self.act} of the {self.site}"], []))
            elif key == "duration":
                lo = rng.choice((5, 10, 15, 20, 30, 45))
                self.sections.append((heading, [f"About {lo} to {lo * 2} minutes."], []))
            elif key == "setting":
                self.sections.append((heading, [rng.choice((
                    "Performed in a hospital or outpatient clinic.", "Done in a physician office.",
                    "In a hospital or ambulatory surgery center."))], []))
            elif key == "risks":
                self.sections.append((heading, [], [f"Common: {self._item(rng)}, {self._item(rng).lower()}",
                                                    f"Rare: {self._item(rng).lower()}"]))
            elif key in ("summary", "purpose"):
                self.sections.append((heading, [self._para(rng, rng.randint(2, 5))], []))
            else:
                self.sections.append((heading, [], [self._item(rng) for _ in range(rng.randint(3, 7))]))
        if system == "ICD-10-CM":
            for heading in rng.sample(_DX_HEADINGS, 2):
                self.sections.append((heading, [self._para(rng, rng.randint(2, 4))], []))
        self.related = related
        self.sections.append((rng.choice(_HEADINGS["similar_codes"]), [], [f"{c} - {t}" for c, t in related]))

    def _fill(self, template: str) -> str:
        return template.format(site=self.site, act=self.act.lower())

    def _para(self, rng: random.Random, n: int) -> str:
        return " ".join(self._fill(rng.choice(_SENT)) for _ in range(n))

    def _item(self, rng: random.Random) -> str:
        return self._fill(rng.choice(_ITEMS))


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _block(paras: list[str], items: list[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    out = "".join(f"<p>{_e(p)}</p>" for p in paras)
    if items:
        out += f"<{tag}>" + "".join(f"<li>{_e(i)}</li>" for i in items) + f"</{tag}>"
    return out


# --- layouts: the content region, as in the sample's layout folders ----------------------------
def _article(c: _Content, rng: random.Random) -> str:
    return "".join(f"<h2>{_e(h)}</h2>{_block(p, i, h.startswith('Procedure'))}" for h, p, i in c.sections)


def _bold(c: _Content, rng: random.Random) -> str:
    out = []
    for h, p, i in c.sections:
        if p and not i:
            out.append(f"<p><strong>{_e(h)}:</strong> {_e(' '.join(p))}</p>")
        else:
            out.append(f"<p><strong>{_e(h)}:</strong></p>{_block(p, i)}")
    return "".join(out)


def _labelp(c: _Content, rng: random.Random) -> str:
    return "".join(f"<p><b>{_e(h)}</b></p>{_block(p, i)}" for h, p, i in c.sections)


def _dl(c: _Content, rng: random.Random) -> str:
    body = "".join(f"<dt>{_e(h)}</dt><dd>{_block(p, i)}</dd>" for h, p, i in c.sections)
    return f'<dl class="code-sections">{body}</dl>'


def _table(c: _Content, rng: random.Random) -> str:
    rows = "".join(f'<tr><th scope="row">{_e(h)}</th><td>{_block(p, i)}</td></tr>' for h, p, i in c.sections)
    return f'<table class="table code-table"><tbody>{rows}</tbody></table>'


def _accordion(c: _Content, rng: random.Random) -> str:
    cards = "".join(
        f'<div class="card"><div class="card-header" id="heading{n}"><h2 class="mb-0">'
        f'<button class="btn btn-link" type="button" data-toggle="collapse" data-target="#collapse{n}" '
        f'aria-expanded="false" aria-controls="collapse{n}">{_e(h)}</button></h2></div>'
        f'<div id="collapse{n}" class="collapse" aria-labelledby="heading{n}" data-parent="#codeAccordion">'
        f'<div class="card-body">{_block(p, i)}</div></div></div>'
        for n, (h, p, i) in enumerate(c.sections))
    return f'<div class="accordion" id="codeAccordion">{cards}</div>'


def _details(c: _Content, rng: random.Random) -> str:
    return "".join(f"<details><summary>{_e(h)}</summary>{_block(p, i)}</details>" for h, p, i in c.sections)


def _br(c: _Content, rng: random.Random) -> str:
    out = []
    for h, p, i in c.sections:
        lines = [f"<b>{_e(h)}</b>", *map(_e, p), *(f"• {_e(x)}" for x in i)]
        out.append("<br>\n".join(lines) + "<br>\n<br>\n")
    return f'<div class="code-desc">{"".join(out)}</div>'


def _hx(c: _Content, rng: random.Random) -> str:
    body = "".join(f"<h4>{_e(h)}</h4>{_block(p, i)}" for h, p, i in c.sections)
    return f'<section class="details">{body}</section>'


_RENDER: dict[str, Callable[[_Content, random.Random], str]] = {
    "article": _article, "bold": _bold, "labelp": _labelp, "dl": _dl, "table": _table,
    "accordion": _accordion, "details": _details, "br": _br, "hx": _hx,
}


# --- site furniture ------------------------------------------------------------------------------
_CSS = "".join(f".c{n}{{margin:{n % 7}px {n % 5}px;padding:{n % 3}em;color:#{n * 2654435761 % 0xFFFFFF:06x}}}"
               for n in range(60))
_SCRIPT = ("window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
           "gtag('js',new Date());gtag('config','G-XY12345');"
           "(function(){var s=document.querySelectorAll('[data-toggle]');for(var i=0;i<s.length;i++)"
           "{s[i].addEventListener('click',function(e){e.preventDefault();});}})();") * 3


def _menu(rng: random.Random) -> str:
    groups = []
    for _, _, _, crumb, slug in SYSTEMS:
        links = "".join(f'<li><a href="/{slug}/{rng.choice(_SITES[1:])}-{n}">{crumb} {rng.choice(_ACTS)} '
                        f'codes {n}</a></li>' for n in range(rng.randint(6, 34)))
        groups.append(f'<li class="menu-item"><a href="/{slug}/">{crumb} Codes</a><ul class="sub-menu">{links}</ul></li>')
    return f'<nav class="main-nav" aria-label="Main"><ul class="menu">{"".join(groups)}</ul></nav>'


def _sidebar(rng: random.Random, system: str) -> str:
    links = "".join(f'<li><a href="/codes/{CODE_MAKERS[system](rng.randrange(10**6)).lower()}">'
                    f'{CODE_MAKERS[system](rng.randrange(10**6))}</a></li>' for _ in range(rng.randint(8, 20)))
    return (f'<aside class="sidebar"><h3>Recently viewed</h3><ul>{links}</ul><h3>Newsletter</h3>'
            '<p>Get coding updates every month.</p><form><input type="email" placeholder="Email">'
            '<button>Subscribe</button></form></aside>')


def _footer(rng: random.Random) -> str:
    cols = "".join(f'<div class="footer-col"><h4>{t}</h4><ul>'
                   + "".join(f'<li><a href="/{t.lower()}/{n}">{t} page {n}</a></li>' for n in range(8))
                   + "</ul></div>" for t in ("About", "Resources", "Legal"))
    return (f'<footer class="site-footer">{cols}<p>&copy; 2024 CodeRef. For information only; not medical '
            'advice.</p><p>CPT is a registered trademark of the American Medical Association.</p></footer>')


def _jsonld(system: str, code: str, title: str) -> str:
    data = {"@context": "https://schema.org", "@type": "MedicalCode", "codeValue": code,
            "codingSystem": system, "name": title}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def _state_blob(rng: random.Random, kb: int) -> str:
    """`kb` KB of a framework's inline page state (`__NEXT_DATA__`-like JSON in a script), as
    sites built on React/Next.js ship: bytes to read and skip, no text."""
    if kb <= 0:
        return ""
    words = [rng.choice(_SITES[1:] + _ACTS) for _ in range(64)]
    item = json.dumps({"id": rng.randrange(10**9), "tags": words[:8], "text": " ".join(words)})
    state = ",".join([item] * (kb * 1024 // (len(item) + 1) + 1))
    return f'<script id="__NEXT_DATA__" type="application/json">{{"props":[{state}]}}</script>'


def _html_page(c: _Content, rng: random.Random, system: str, label: str, crumb: str, slug: str,
               code: str, layout: str, pad_kb: int = 0) -> str:
    heading = rng.choice((f"{code} – {c.title}", f"{label.split()[0]} {code} — {c.title}", f"{code} - {c.title}"))
    crumbs = (f'<nav aria-label="breadcrumb"><ol class="breadcrumb"><li><a href="/">Home</a></li>'
              f'<li><a href="/{slug}/">{crumb}</a></li><li aria-current="page">{_e(code)}</li></ol></nav>')
    content = _RENDER[layout](c, rng)
    main = (f'<main class="container"><article class="code-entry"><h1>{_e(heading)}</h1>'
            f'<p class="code-type">{_e(label)}</p>{content}</article>{_sidebar(rng, system)}</main>')
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(code)} – {_e(c.title)} | CodeRef</title>"
        f'<meta name="description" content="{_e(label)} {_e(code)}: {_e(c.title)}">'
        f'<meta property="og:title" content="{_e(code)} {_e(c.title)}">'
        f"<style>{_CSS}</style>{_jsonld(system, code, c.title)}</head><body>\n"
        '<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience. '
        '<a href="/privacy">Learn more</a></p><button type="button">Accept</button></div>'
        '<header class="site-header"><a class="logo" href="/">CodeRef</a><form class="search" action="/search" '
        'role="search"><label for="q">Search all medical codes</label><input id="q" name="q" type="search">'
        f'<button type="submit">Search</button></form></header>{_menu(rng)}{crumbs}\n{main}\n{_footer(rng)}'
        f"<script>{_SCRIPT}</script><script src=\"/static/js/app.min.js\" defer></script>"
        f"{_state_blob(rng, pad_kb)}</body></html>\n"
    )


def _text_page(c: _Content, label: str, code: str) -> str:
    lines = ["Search all medical codes", "", f"{c.title}", "", f"{label}: {code}", ""]
    for heading, paras, items in c.sections:
        lines += [heading, "", *paras, *(f"  • {i}" for i in items), ""]
    return "\n".join(lines)


def page_at(index: int, seed: int = 0, pad_kb: int = 0) -> Page:
    """The page with this index: a pure function of (seed, index, pad_kb). `pad_kb` adds that
    much inline page state to each HTML page (bigger pages, the same content)."""
    rng = random.Random(f"{seed}:{index}")
    system, label, crumb, slug, ordinal = _system_for(index)
    code = CODE_MAKERS[system](ordinal)
    maker = CODE_MAKERS[system]
    related = [(maker(rng.randrange(10**6)), f"{rng.choice(_ACTS)} of {rng.choice(_SITES[1:])}")
               for _ in range(rng.randint(2, 5))]
    content = _Content(rng, system, code, related)
    shard = f"{index // 1000:04d}"
    stem = code.lower().replace(".", "-")
    if rng.random() < TEXT_SHARE:
        body = _text_page(content, label, code)
        return Page(index, f"{shard}/{slug}/text/{stem}.txt", body.encode(), system, code, "txt")
    layout = HTML_LAYOUTS[rng.randrange(len(HTML_LAYOUTS))]
    body = _html_page(content, rng, system, label, crumb, slug, code, layout, pad_kb)
    return Page(index, f"{shard}/{slug}/{layout}/{stem}.html", body.encode(), system, code, layout)


_CYCLE = [i for i, s in enumerate(SYSTEMS) for _ in range(s[1])]  # 172 slots in system proportion
_STRIDE = 97  # coprime to 172, so the systems interleave through each cycle


def _cycle_positions() -> list[int]:
    """For each slot of a cycle, how many earlier slots of the cycle went to the same system."""
    seen, positions = [0] * len(SYSTEMS), []
    for slot in range(len(_CYCLE)):
        sysno = _CYCLE[(slot * _STRIDE) % len(_CYCLE)]
        positions.append(seen[sysno])
        seen[sysno] += 1
    return positions


_CYCLE_POS = _cycle_positions()


def _system_for(index: int) -> tuple[str, str, str, str, int]:
    """System of page `index` and its ordinal among that system's pages (so codes never repeat)."""
    cycle, slot = divmod(index, len(_CYCLE))
    name, weight, label, crumb, slug = SYSTEMS[_CYCLE[(slot * _STRIDE) % len(_CYCLE)]]
    return name, label, crumb, slug, cycle * weight + _CYCLE_POS[slot]


def iter_pages(count: int, seed: int = 0, pad_kb: int = 0) -> Iterator[Page]:
    for index in range(count):
        yield page_at(index, seed, pad_kb)


def write_corpus(count: int, out: Path, seed: int = 0, progress: bool = False, pad_kb: int = 0) -> dict[str, int]:
    """Write `count` pages under `out` plus `manifest.csv`; returns pages per code system."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    made: set[Path] = set()
    started = time.perf_counter()
    with open(out / "manifest.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "code_system", "code", "layout", "bytes"])
        for page in iter_pages(count, seed, pad_kb):
            path = out / page.relpath
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(page.body)
            writer.writerow([page.relpath, page.code_system, page.code, page.layout, len(page.body)])
            counts[page.code_system] = counts.get(page.code_system, 0) + 1
            if progress and page.index and page.index % 10_000 == 0:
                rate = page.index / (time.perf_counter() - started)
                print(f"{page.index} pages ({rate:.0f}/s)", file=sys.stderr)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--pad-kb", type=int, default=0,
                        help="KB of inline page state (a JSON script) added to each HTML page: bigger pages, same content")
    args = parser.parse_args(argv)
    counts = write_corpus(args.pages, args.out, args.seed, progress=True, pad_kb=args.pad_kb)
    print(json.dumps({"pages": args.pages, "out": str(args.out), "by_system": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
