"""Quality gate: every golden page through the pipeline, scored against its expected record.

Fails when overall scalar exact-match, list-item F1 or quarantine accuracy drops below
`tests/golden/floor.json`, or when a page that should become a row is lost; the failure
message carries the per-field table and the worst pages. Floors only go up
(`python tests/golden/score.py --raise-floor`).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from transform.text import normalize_inline

GOLDEN = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("golden_score", GOLDEN / "score.py")
score = importlib.util.module_from_spec(_spec)
sys.modules["golden_score"] = score
_spec.loader.exec_module(score)

# Canonical code shapes, to keep the expected records themselves honest.
CODE_FORMATS = {
    "CPT": r"\d{4}[0-9FTU]",
    "HCPCS": r"[A-V]\d{4}",
    "ICD-10-CM": r"[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?",
    "ICD-10-PCS": r"[0-9A-HJ-NP-Z]{7}",
}
TEXT_SCALARS = {"name", "summary", "purpose", "duration", "setting", "patient_experience"}
LICENSES = {"CPT": "ama_cpt", "ICD-10-CM": "public_domain", "ICD-10-PCS": "public_domain"}


@pytest.fixture(scope="module")
def expected() -> list[dict]:
    return score.load_expected()


@pytest.fixture(scope="module")
def report(expected) -> "score.Report":
    outcomes, batch_complete = score.run_pipeline(score.PAGES_DIR, expected)
    return score.score(expected, outcomes, batch_complete)


def test_every_golden_page_has_an_expected_record(expected):
    pages = {p.relative_to(score.PAGES_DIR).as_posix() for p in score.PAGES_DIR.rglob("*") if p.is_file()}
    assert pages == {e["page"] for e in expected}
    for e in expected:
        assert Path(e["page"]).stem + ".json" in {p.name for p in score.EXPECTED_DIR.glob("*.json")}


def test_expected_records_are_canonical(expected):
    rows = [e for e in expected if e["expect"] == "row"]
    assert len(rows) >= 20 and len(expected) - len(rows) >= 4
    for e in rows:
        missing = set(score.SCALAR_FIELDS + score.LIST_FIELDS) - set(e)
        assert not missing, (e["page"], missing)
        assert re.fullmatch(CODE_FORMATS[e["code_system"]], e["code"]), e["page"]
        want = "ada_cdt" if e["code"].startswith("D") else "public_domain"
        assert e["license"] == LICENSES.get(e["code_system"], want), e["page"]
        assert len(e["section_keys"]) >= 2 and e["title"].strip() == e["title"]


def _page_text(path: Path) -> str:
    """The page's visible text, plus its <title> and meta contents (a title may stand only there)."""
    raw = path.read_bytes()
    if path.suffix == ".txt":
        return normalize_inline(raw.decode("utf-8"))
    soup = BeautifulSoup(raw, "lxml")
    metas = [m.get("content", "") for m in soup.find_all("meta")]
    return normalize_inline(" ".join([soup.get_text(" "), *metas]))


def test_expected_text_is_printed_on_the_page(expected):
    """Every expected string stands on its page (after decoding and repair); the code in the page or its name."""
    for e in (e for e in expected if e["expect"] == "row"):
        path = score.PAGES_DIR / e["page"]
        text = _page_text(path)
        where = (path.read_bytes().decode("utf-8", "replace") + path.name).upper()
        assert e["code"] in where or e["code"].replace(".", "") in where.replace("-", ""), e["page"]
        pieces = [e["title"]] + [r["related_title"] for r in e["related"] if r["related_title"]]
        pieces += [line for k in score.SCALAR_FIELDS if k in TEXT_SCALARS and e[k] for line in e[k].split("\n")]
        pieces += [item for k in score.LIST_FIELDS[:-2] if k != "settings" for item in e[k]]
        missing = [p for p in pieces if p not in text]
        # a place starting a sentence is printed capitalised and expected lower-case
        missing += [p for p in e["settings"] if p.lower() not in text.lower()]
        assert not missing, (e["page"], missing)


def test_scorer_rewards_exact_records_and_penalises_damage(expected):
    perfect = {e["page"]: score.Outcome(row=e) if e["expect"] == "row" else score.Outcome(reason=e["reason"])
               for e in expected}
    rep = score.score(expected, perfect, batch_complete=True)
    assert rep.metrics() == {"scalar_exact": 1.0, "list_f1": 1.0, "quarantine_accuracy": 1.0, "pages_lost": 0}

    damaged = copy.deepcopy(perfect)
    first_row = next(e for e in expected if e["expect"] == "row")
    damaged[first_row["page"]].row = dict(first_row, title="wrong", section_keys=[])
    first_bad = next(e for e in expected if e["expect"] == "quarantine" and not score.is_batch_reason(e["reason"]))
    damaged[first_bad["page"]] = score.Outcome(reason="parse_error")
    lost = next(e for e in expected if e["expect"] == "row" and e["page"] != first_row["page"])
    damaged[lost["page"]] = score.Outcome(reason="code_not_found")
    rep = score.score(expected, damaged, batch_complete=True)
    m = rep.metrics()
    assert m["scalar_exact"] < 1.0 and m["list_f1"] < 1.0 and m["quarantine_accuracy"] < 1.0
    assert rep.pages_lost == [lost["page"]]
    assert score.below_floor(rep, score.load_floor())


def test_golden_scores_stay_above_floor(report):
    if report.pending:
        warnings.warn(f"golden pages pending the batch stage (duplicate/schema): {report.pending}")
    failures = score.below_floor(report, score.load_floor())
    assert not failures, "\n".join(failures) + "\n\n" + score.format_report(report, worst=8)


def test_floor_file_is_well_formed():
    floor = json.loads(score.FLOOR_PATH.read_text(encoding="utf-8"))
    assert set(floor) == {"scalar_exact", "list_f1", "quarantine_accuracy", "pages_lost"}
    assert all(0.0 <= floor[k] <= 1.0 for k in ("scalar_exact", "list_f1", "quarantine_accuracy"))
