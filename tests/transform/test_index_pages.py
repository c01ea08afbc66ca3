"""A page that lists many codes and describes none is an index, never a row for its first code."""

from __future__ import annotations

from pathlib import Path

from extract.local import read_local_file
from medcodes.pipeline import process_raw_page
from schemas.reasons import QuarantineEntry

FIXTURES = Path(__file__).parent / "fixtures"


def test_code_listing_page_is_quarantined_code_not_found():
    outcome = process_raw_page(read_local_file(FIXTURES / "icd10cm-e11-index.html"))
    assert isinstance(outcome, QuarantineEntry)
    assert outcome.reason == "code_not_found" and "lists 6 codes" in outcome.detail


def test_page_with_sections_and_a_few_codes_is_still_a_row(tmp_path):
    page = tmp_path / "E11.65.html"
    page.write_text(
        "<html><body><main><h1>ICD-10-CM E11.65 Type 2 diabetes mellitus with hyperglycemia</h1>"
        "<h2>Summary</h2><p>High blood sugar in type 2 diabetes.</p>"
        "<h2>Similar Codes</h2><ul><li>E11.64 Type 2 diabetes mellitus with hypoglycemia</li>"
        "<li>E11.69 Type 2 diabetes mellitus with other specified complication</li>"
        "<li>E11.8 Type 2 diabetes mellitus with unspecified complications</li>"
        "<li>E11.9 Type 2 diabetes mellitus without complications</li>"
        "<li>E11.00 Type 2 diabetes mellitus with hyperosmolarity</li></ul></main></body></html>",
        encoding="utf-8",
    )
    outcome = process_raw_page(read_local_file(page))
    assert not isinstance(outcome, QuarantineEntry), outcome
    assert outcome.code_row["code"] == "E11.65" and len(outcome.related_rows) == 5
