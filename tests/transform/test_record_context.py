"""Sections under another code's heading stay as sections but don't fill this code's fields."""

from __future__ import annotations

from pathlib import Path

from extract.local import read_local_file
from medcodes.pipeline import process_raw_page
from transform.record import PageRecord

COMPARE = Path(__file__).resolve().parents[1] / "extract" / "html_round2_fixtures" / "compare_block.html"


def test_other_codes_summary_is_kept_as_a_section_but_not_merged():
    record = process_raw_page(read_local_file(COMPARE))
    assert isinstance(record, PageRecord), record
    summaries = [s for s in record.section_rows if s["key"] == "summary"]
    assert len(summaries) == 2  # nothing dropped
    assert record.code_row["summary"] == summaries[0]["text"]  # only the page's own summary
