"""Every Python snippet in `docs/analysts.md` runs against a real snapshot and answers right.

The snippets are read from the document itself, so the document cannot drift from this test.
`data/latest` points at snapshot 2 of the conftest (CPT 36415 and 99213 are the short
outpatient CPT codes there).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "analysts.md"
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _snippet(defines: str) -> str:
    blocks = [b for b in _BLOCK.findall(DOC.read_text(encoding="utf-8")) if re.search(rf"^{defines} = ", b, re.M)]
    assert len(blocks) == 1, f"expected one snippet defining {defines!r} in {DOC.name}"
    return blocks[0]


@pytest.fixture
def in_data_dir(snapshots, tmp_path, monkeypatch) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "latest").symlink_to(snapshots.paths[1], target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(defines: str) -> object:
    namespace: dict = {}
    exec(compile(_snippet(defines), f"{DOC.name}:{defines}", "exec"), namespace)  # noqa: S102 - our own docs
    return namespace[defines]


def test_every_snippet_is_covered():
    blocks = _BLOCK.findall(DOC.read_text(encoding="utf-8"))
    covered = [_snippet(name) for name in ("driving", "short_outpatient_cpt", "clot_risk", "unrecognised_headings")]
    assert sorted(blocks) == sorted(covered)


def test_pandas_codes_whose_recovery_mentions_driving(in_data_dir):
    driving = _run("driving")
    assert sorted(zip(driving["code_system"], driving["code"])) == [
        ("CPT", "27130"), ("ICD-10-CM", "S72.001A"), ("ICD-10-PCS", "0DTJ4ZZ")]


def test_duckdb_short_outpatient_cpt_codes(in_data_dir):
    assert _run("short_outpatient_cpt") == [
        ("36415", "Blood draw", "about 5 minutes", 5),
        ("99213", "Established patient office visit", "about 20 to 29 minutes", 29),
    ]


def test_duckdb_unrecognised_headings(in_data_dir):
    assert _run("unrecognised_headings") == [("Billing Tips", 1)]


@pytest.mark.skipif(importlib.util.find_spec("polars") is None, reason="polars not installed (pip install polars)")
def test_polars_clot_risk_with_similar_codes(in_data_dir):
    clot_risk = _run("clot_risk")
    assert clot_risk.select("code_system", "code", "related_code").rows() == [
        ("ICD-10-CM", "S72.001A", "S72.002A")]
