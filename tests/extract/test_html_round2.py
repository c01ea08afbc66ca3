"""Round-2 held-out layouts: print pages with no h1, badges inside the h1, and blocks about
another code nested in a page (see `extract.html_parser._top_heading`, `_Builder.open`)."""

from __future__ import annotations

from pathlib import Path

from extract.html_parser import parse_html

FIXTURES = Path(__file__).parent / "html_round2_fixtures"


def _parse(name: str):
    return parse_html((FIXTURES / name).read_text(encoding="utf-8"))


def test_print_page_bold_code_line_is_main_heading_and_next_line_its_descriptor() -> None:
    page = _parse("print_center.html")
    assert page.descriptor == "HCPCS E0607"
    assert page.lead == ["Home blood glucose monitor"]
    assert page.hints[0].where == "h1" and page.hints[0].text == "HCPCS E0607"
    assert [s.heading for s in page.sections] == ["Summary", "Setting"]


def test_print_page_large_font_code_line_is_main_heading() -> None:
    page = _parse("print_bigfont.html")
    assert page.descriptor == "CPT 93000"
    assert page.lead == ["Electrocardiogram, routine ECG with at least 12 leads; with interpretation and report"]
    assert page.hints[0].where == "h1"
    assert [s.heading for s in page.sections] == ["Summary"]


def test_bold_code_line_under_a_banner_is_not_taken_as_main_heading() -> None:
    page = _parse("banner_first.html")
    assert not any(h.where == "h1" for h in page.hints)
    assert "Code Lookup Tool" in page.lead


def test_h1_badges_are_not_descriptor_text() -> None:
    page = _parse("h1_badges.html")
    assert page.descriptor == "E11.9 Type 2 diabetes mellitus without complications"
    assert page.hints[0].text == page.descriptor


def test_trailing_small_is_dropped_but_leading_sup_mark_stays() -> None:
    page = _parse("h1_small.html")
    assert "Updated" not in page.descriptor
    assert page.descriptor.endswith("99213 Office or other outpatient visit")
    assert "®" in page.descriptor


def test_heading_naming_another_code_and_its_subsections_get_other_code_context() -> None:
    page = _parse("compare_block.html")
    got = [(s.heading, s.context) for s in page.sections]
    assert got == [
        ("Summary", None),
        ("See also CPT 64484", "other_code"),
        ("Summary", "other_code"),
        ("Duration", "other_code"),
        ("Risks", None),  # same level as "See also": the page's own again
        ("Similar codes to 64483", None),  # names the page's own code
    ]
    nested = page.sections[2]
    assert nested.paragraphs == ["The same injection at one more level."]  # nothing dropped
