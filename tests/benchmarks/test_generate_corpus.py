"""The benchmark corpus generator: deterministic, valid unique codes, pages that parse to them."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from extract.local import read_local_file
from extract.rawpage import RawPage
from medcodes.pipeline import process_raw_page
from schemas.reasons import QuarantineEntry

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_corpus.py"
_SPEC = importlib.util.spec_from_file_location("generate_corpus", _PATH)
gen = importlib.util.module_from_spec(_SPEC)
sys.modules["generate_corpus"] = gen
_SPEC.loader.exec_module(gen)

FORMATS = {
    "CPT": re.compile(r"^\d{5}$"),
    "HCPCS": re.compile(r"^[A-V]\d{4}$"),
    "ICD-10-CM": re.compile(r"^[A-TV-Z]\d{2}\.[0-9A-Z]{1,4}$"),
    "ICD-10-PCS": re.compile(r"^[0-9A-HJ-NP-Z]{7}$"),
}


def test_same_seed_same_bytes_and_other_seed_other_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    gen.write_corpus(60, first, seed=7)
    gen.write_corpus(60, second, seed=7)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) == 61  # 60 pages + manifest.csv
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert gen.page_at(5, seed=7).body == gen.page_at(5, seed=7).body
    assert gen.page_at(5, seed=8).body != gen.page_at(5, seed=7).body
    # a page is a function of (seed, index) only: generating more pages does not change it
    assert gen.page_at(59, seed=7).body == (first / gen.page_at(59, seed=7).relpath).read_bytes()


def test_codes_are_valid_unique_and_in_full_refresh_proportions() -> None:
    pages = [gen.page_at(i) for i in range(1720)]
    keys = [(p.code_system, p.code) for p in pages]
    assert len(set(keys)) == len(keys)
    for system, code in keys:
        assert FORMATS[system].match(code), (system, code)
    counts = {s: sum(1 for k in keys if k[0] == s) for s in FORMATS}
    assert counts == {"ICD-10-CM": 750, "ICD-10-PCS": 780, "CPT": 110, "HCPCS": 80}
    assert {p.layout for p in pages} == {*gen.HTML_LAYOUTS, "txt"}


def test_code_makers_stay_unique_at_full_scale() -> None:
    for system, weight, *_ in gen.SYSTEMS:
        n = 200_000 * weight // 172 + 1_000
        assert len({gen.CODE_MAKERS[system](i) for i in range(n)}) == n, system


def test_html_pages_weigh_like_real_pages() -> None:
    sizes = [len(p.body) for p in (gen.page_at(i) for i in range(300)) if p.layout != "txt"]
    assert 10_000 <= sum(sizes) / len(sizes) <= 25_000
    assert min(sizes) >= 8_000 and max(sizes) <= 30_000


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    gen.write_corpus(120, out, seed=3)
    return out


def test_every_layout_parses_to_the_expected_code(written: Path) -> None:
    with open(written / "manifest.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 120
    seen_layouts = set()
    for row in rows:
        outcome = process_raw_page(read_local_file(written / row["path"]))
        assert not isinstance(outcome, QuarantineEntry), (row, outcome)
        assert (outcome.code_row["code_system"], outcome.code_row["code"]) == (row["code_system"], row["code"])
        assert outcome.code_row["title"]
        seen_layouts.add(row["layout"])
    assert seen_layouts >= set(gen.HTML_LAYOUTS)


def test_code_is_read_from_the_page_not_only_the_url() -> None:
    """A page served from a URL with no code in it still yields its code (h1, label, title)."""
    page = next(gen.page_at(i) for i in range(50) if gen.page_at(i).layout == "article")
    raw = RawPage(source_url="https://codes.example/page", body=page.body,
                  fetched_at=datetime(2025, 1, 1, tzinfo=timezone.utc), content_type="text/html")
    outcome = process_raw_page(raw)
    assert (outcome.code_row["code_system"], outcome.code_row["code"]) == (page.code_system, page.code)


def test_padded_pages_are_bigger_and_say_the_same() -> None:
    """`--pad-kb` (pages of a size the batch cap must bound) adds inline page state and
    nothing else: the same sections and rows, the unpadded bytes before it unchanged."""
    at = datetime(2025, 1, 1, tzinfo=timezone.utc)
    html = [i for i in range(40) if gen.page_at(i).layout != "txt"][:6]
    for index in html:
        plain, padded = gen.page_at(index, seed=2), gen.page_at(index, seed=2, pad_kb=30)
        assert len(padded.body) - len(plain.body) >= 30 * 1024
        assert padded.body.startswith(plain.body[: plain.body.rindex(b"</body>")])
        rows = [process_raw_page(RawPage(f"https://x.test/{index}", page.body, at, "text/html"))
                for page in (plain, padded)]
        assert rows[0].code_row | {"content_sha256": ""} == rows[1].code_row | {"content_sha256": ""}
        assert rows[0].section_rows == rows[1].section_rows and rows[0].related_rows == rows[1].related_rows
    assert gen.page_at(3, seed=2, pad_kb=0).body == gen.page_at(3, seed=2).body
