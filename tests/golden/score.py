"""Score the pipeline against the golden pages: exact match per scalar field, item F1 per list field.

Run `python tests/golden/score.py` for the per-field table and the worst pages; `--detail`
adds every mismatch, `--raise-floor` lifts `floor.json` to the current measurement (floors
only go up). `tests/test_golden.py` runs the same scoring and fails below the floor.

Duplicate codes and code-format failures are decided across the whole batch, not per page:
the pages go through `medcodes.pipeline.process_pages` and then, when it exists,
`medcodes.dataset.assemble_dataset` (dedupe + schema validation). Without assembled tables
(`codes`, `quarantine`, …) pages expecting those reasons are reported as *pending*.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent
PAGES_DIR = GOLDEN_DIR / "pages"
EXPECTED_DIR = GOLDEN_DIR / "expected"
FLOOR_PATH = GOLDEN_DIR / "floor.json"
REPO_ROOT = GOLDEN_DIR.parents[1]

SCALAR_FIELDS = ("code_system", "code", "title", "name", "summary", "purpose", "duration",
                 "duration_min_minutes", "duration_max_minutes", "setting", "patient_experience", "license")
LIST_FIELDS = ("indications", "preparation", "procedure_steps", "settings", "personnel", "risks_common",
               "risks_rare", "benefits", "recovery", "alternatives", "section_keys", "related")
RELATED_KEYS = ("related_code_system", "related_code", "related_title", "relation")


def is_batch_reason(reason: str) -> bool:
    """Reasons only a whole batch can produce (dedupe across pages, schema validation)."""
    return reason == "duplicate_code" or reason.startswith("schema:")


# ------------------------------------------------------------------ outcomes
@dataclass
class Outcome:
    """What the pipeline made of one page: a row (in the expected-record shape) or a reason."""

    row: dict | None = None
    reason: str | None = None


def _plain(value):
    """Arrow/pandas/numpy scalars and missing markers → plain Python for comparison."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, tuple, str)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def row_from_tables(code_row: dict, section_rows: list[dict], related_rows: list[dict]) -> dict:
    """Turn contract rows of one code into the expected-record shape."""
    row = {f: _plain(code_row.get(f)) for f in SCALAR_FIELDS}
    for f in LIST_FIELDS[:-2]:
        row[f] = [_plain(x) for x in (code_row.get(f) if code_row.get(f) is not None else [])]
    ordered = sorted(section_rows, key=lambda r: _plain(r.get("ordinal")) or 0)
    row["section_keys"] = [_plain(r.get("key")) for r in ordered]
    row["related"] = [{k: _plain(r.get(k)) for k in RELATED_KEYS} for r in related_rows]
    return row


def _reason_of(entry) -> str:
    reason = entry["reason"] if isinstance(entry, dict) else entry.reason
    return str(getattr(reason, "value", reason))


def _url_of(entry) -> str:
    return entry["source_url"] if isinstance(entry, dict) else entry.source_url


def outcome_of(result) -> Outcome:
    """One `process_raw_page` result (PageRecord or QuarantineEntry) as an Outcome."""
    if hasattr(result, "code_row"):
        return Outcome(row=row_from_tables(result.code_row, list(result.section_rows), list(result.related_rows)))
    return Outcome(reason=_reason_of(result))


def _rows(table) -> list:
    """Row dicts from an Arrow table or a plain list."""
    return table.to_pylist() if hasattr(table, "to_pylist") else list(table)


def assembled(result):
    """The batch's assembled tables (dedupe + validation) when that stage exists, else the batch itself."""
    try:
        from medcodes.dataset import assemble_dataset
    except ImportError:
        return result
    return assemble_dataset(result, max_quarantine_share=1.0)


def batch_outcomes(result, url_to_page: dict[str, str]) -> tuple[dict[str, Outcome], bool]:
    """Outcomes from a `process_pages` BatchResult; the flag says whether it holds assembled tables."""
    outcomes: dict[str, Outcome] = {}
    for entry in _rows(getattr(result, "quarantine", [])):
        page = url_to_page.get(_url_of(entry))
        if page:
            outcomes[page] = Outcome(reason=_reason_of(entry))
    if hasattr(result, "codes"):
        key = lambda r: (r.get("code_system"), r.get("code"))  # noqa: E731
        sections: dict = {}
        related: dict = {}
        for r in _rows(result.sections):
            sections.setdefault(key(r), []).append(r)
        for r in _rows(getattr(result, "related", None) or getattr(result, "related_codes", [])):
            related.setdefault(key(r), []).append(r)
        for r in _rows(result.codes):
            page = url_to_page.get(r.get("source_url"))
            if page and page not in outcomes:
                outcomes[page] = Outcome(row=row_from_tables(r, sections.get(key(r), []), related.get(key(r), [])))
        return outcomes, True
    for record in getattr(result, "records", []):
        page = url_to_page.get(record.code_row.get("source_url"))
        if page and page not in outcomes:
            outcomes[page] = outcome_of(record)
    return outcomes, False


def run_pipeline(pages_dir: Path = PAGES_DIR, expected: list[dict] | None = None) -> tuple[dict[str, Outcome], bool]:
    """Every golden page through the pipeline: as one batch when the batch path exists, else page by page."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    from extract.local import read_local_file
    from medcodes import pipeline

    expected = expected if expected is not None else load_expected()
    raws = {e["page"]: read_local_file(pages_dir / e["page"]) for e in expected}
    outcomes: dict[str, Outcome] = {}
    batch_complete = False
    if hasattr(pipeline, "process_pages"):
        url_to_page = {url: page for page, raw in raws.items() for url in (raw.source_url, raw.url)}
        outcomes, batch_complete = batch_outcomes(assembled(pipeline.process_pages(list(raws.values()))), url_to_page)
    for page, raw in raws.items():  # pages the batch result did not account for
        if page not in outcomes:
            outcomes[page] = outcome_of(pipeline.process_raw_page(raw))
    return outcomes, batch_complete


def load_expected(expected_dir: Path = EXPECTED_DIR) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(expected_dir.glob("*.json"))]


# ------------------------------------------------------------------ scoring
def _items(record: dict | None, f: str) -> Counter:
    if record is None:
        return Counter()
    values = record.get(f) or []
    if f == "related":
        return Counter(tuple(v.get(k) for k in RELATED_KEYS) for v in values)
    return Counter("<null>" if v is None else v for v in values)


@dataclass
class Report:
    scalar_hits: Counter = field(default_factory=Counter)
    scalar_total: Counter = field(default_factory=Counter)
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    quarantine_correct: int = 0
    quarantine_scored: int = 0
    pages_lost: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    page_scores: dict[str, float] = field(default_factory=dict)
    mismatches: dict[str, list[str]] = field(default_factory=dict)

    def f1(self, fields=LIST_FIELDS) -> float:
        tp, fp, fn = (sum(c[f] for f in fields) for c in (self.tp, self.fp, self.fn))
        return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)

    @property
    def scalar_exact(self) -> float:
        total = sum(self.scalar_total.values())
        return sum(self.scalar_hits.values()) / total if total else 1.0

    @property
    def list_f1(self) -> float:
        return self.f1()

    @property
    def quarantine_accuracy(self) -> float:
        return self.quarantine_correct / self.quarantine_scored if self.quarantine_scored else 1.0

    def metrics(self) -> dict:
        return {"scalar_exact": round(self.scalar_exact, 4), "list_f1": round(self.list_f1, 4),
                "quarantine_accuracy": round(self.quarantine_accuracy, 4), "pages_lost": len(self.pages_lost)}


def score(expected: list[dict], outcomes: dict[str, Outcome], batch_complete: bool) -> Report:
    """Compare outcomes with expected records; a lost page scores zero on every field it should have had."""
    rep = Report()
    for exp in expected:
        page, out = exp["page"], outcomes.get(exp["page"], Outcome(reason="<missing>"))
        if exp["expect"] == "quarantine":
            if out.row is not None and is_batch_reason(exp["reason"]) and not batch_complete:
                rep.pending.append(page)
                continue
            got = out.reason if out.row is None else "<row>"
            ok = got == exp["reason"]
            rep.quarantine_scored += 1
            rep.quarantine_correct += ok
            rep.page_scores[page] = float(ok)
            if not ok:
                rep.mismatches[page] = [f"reason: expected {exp['reason']!r}, got {got!r}"]
            continue
        row = out.row
        if row is None:
            rep.pages_lost.append(page)
        notes, hits, tp_page, fpn_page = [], 0, 0, 0
        for f in SCALAR_FIELDS:
            ok = row is not None and row.get(f) == exp[f]
            rep.scalar_total[f] += 1
            rep.scalar_hits[f] += ok
            hits += ok
            if not ok and row is not None:
                notes.append(f"{f}: expected {exp[f]!r}, got {row.get(f)!r}")
        for f in LIST_FIELDS:
            gold, got = _items(exp, f), _items(row, f)
            tp = sum((gold & got).values())
            rep.tp[f] += tp
            rep.fp[f] += sum(got.values()) - tp
            rep.fn[f] += sum(gold.values()) - tp
            tp_page += tp
            fpn_page += sum(got.values()) + sum(gold.values()) - 2 * tp
            if gold != got and row is not None:
                notes.append(f"{f}: missing {sorted(map(str, (gold - got).elements()))}, extra {sorted(map(str, (got - gold).elements()))}")
        page_f1 = 1.0 if tp_page + fpn_page == 0 else 2 * tp_page / (2 * tp_page + fpn_page)
        rep.page_scores[page] = (hits / len(SCALAR_FIELDS) + page_f1) / 2
        if row is None:
            notes.append(f"no row: {out.reason}")
        if notes:
            rep.mismatches[page] = notes
    return rep


# ------------------------------------------------------------------ reporting
def load_floor(path: Path = FLOOR_PATH) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def below_floor(rep: Report, floor: dict) -> list[str]:
    """Each metric that fell below its pinned floor, as a sentence."""
    m = rep.metrics()
    out = [f"{k} {m[k]} < floor {floor[k]}" for k in ("scalar_exact", "list_f1", "quarantine_accuracy") if m[k] < floor[k]]
    if m["pages_lost"] > floor["pages_lost"]:
        out.append(f"pages_lost {m['pages_lost']} > floor {floor['pages_lost']}: {rep.pages_lost}")
    return out


def raise_floor(rep: Report, path: Path = FLOOR_PATH) -> dict:
    """Lift each floor to the measurement when it is better; never lower one."""
    floor, m = load_floor(path), rep.metrics()
    for k in ("scalar_exact", "list_f1", "quarantine_accuracy"):
        floor[k] = max(floor[k], m[k])
    floor["pages_lost"] = min(floor["pages_lost"], m["pages_lost"])
    path.write_text(json.dumps(floor, indent=2) + "\n", encoding="utf-8")
    return floor


def format_report(rep: Report, worst: int = 5, detail: bool = False) -> str:
    lines = [f"{'field':<22}{'kind':<8}{'score':>8}{'n':>6}"]
    for f in SCALAR_FIELDS:
        n = rep.scalar_total[f]
        lines.append(f"{f:<22}{'exact':<8}{(rep.scalar_hits[f] / n if n else 1.0):>8.3f}{n:>6}")
    for f in LIST_FIELDS:
        lines.append(f"{f:<22}{'F1':<8}{rep.f1((f,)):>8.3f}{rep.tp[f] + rep.fn[f]:>6}")
    m = rep.metrics()
    lines += ["", f"overall scalar exact  {m['scalar_exact']:.3f}", f"overall list F1       {m['list_f1']:.3f}",
              f"quarantine accuracy   {m['quarantine_accuracy']:.3f} ({rep.quarantine_correct}/{rep.quarantine_scored})",
              f"pages lost            {m['pages_lost']} {rep.pages_lost or ''}"]
    if rep.pending:
        lines.append(f"pending (batch stage not assembled yet): {rep.pending}")
    ranked = sorted(rep.page_scores.items(), key=lambda kv: kv[1])
    lines += ["", f"worst {worst} pages:"]
    for page, s in ranked[:worst]:
        lines.append(f"  {s:.3f}  {page}")
        for note in rep.mismatches.get(page, [])[: None if detail else 3]:
            lines.append(f"         {note[:300]}")
    if detail:
        for page, notes in rep.mismatches.items():
            lines += ["", page] + [f"  {n}" for n in notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detail", action="store_true", help="print every mismatch of every page")
    ap.add_argument("--worst", type=int, default=5, help="how many of the worst pages to show")
    ap.add_argument("--raise-floor", action="store_true", help="lift floor.json to this measurement")
    args = ap.parse_args(argv)
    expected = load_expected()
    outcomes, batch_complete = run_pipeline(PAGES_DIR, expected)
    rep = score(expected, outcomes, batch_complete)
    print(format_report(rep, args.worst, args.detail))
    if args.raise_floor:
        print("floor now", raise_floor(rep))
    failures = below_floor(rep, load_floor())
    for f in failures:
        print("BELOW FLOOR:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
