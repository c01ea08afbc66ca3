"""Layouts an outside evaluator found on held-out pages: layout tables, headings known only by
their styling, tab panels, labels inside list items, a labelled descriptor, Markdown-ish text
pages and permalink glyphs in headings."""

from __future__ import annotations

from pathlib import Path

from extract.html_parser import parse_html
from extract.text_parser import parse_text, strip_markdown

# Not under `parser_fixtures/`: test_parse_dispatch walks that folder expecting files only.
FIXTURES = Path(__file__).parent / "heldout_fixtures"


def _html(name: str):
    return parse_html((FIXTURES / name).read_text(encoding="utf-8"))


def _sections(page) -> list[tuple[str, list[str]]]:
    return [(s.heading, [b.text for b in s.blocks]) for s in page.sections]


def test_layout_table_is_read_inside_its_cells() -> None:
    page = _html("layout_table.html")
    assert _sections(page) == [
        ("Summary", ["The hip joint is replaced with cemented artificial parts."]),
        ("Indications", ["Severe hip osteoarthritis", "Avascular necrosis"]),
        # a table with header cells stays data, one line per row
        ("Duration", ["One to two hours.", "Code | Description", "0SRB0J9 | Left hip"]),
    ]
    # no h1: the descriptor is the line printed under the code's label, not the site banner
    assert page.descriptor == "Replacement of Right Hip Joint with Synthetic Substitute, Cemented, Open Approach"


def test_lines_styled_like_known_headings_are_headings_whatever_they_say() -> None:
    page = _html("styled_headings.html")
    assert _sections(page) == [
        ("Summary", ["Test strips used with a home glucose meter."]),
        ("Who qualifies", ["Diabetes treated with insulin"]),
        ("Supplier notes", ["Dispensed by a pharmacy."]),  # unknown wording: its own section
        ("Duration", ["About 1 minute."]),  # span accordion: the "+" icon is not part of it
        # `div.note` also prints prose ("Keep strips dry."), so it is no heading style
        ("Possible reactions", ["Common: sore arm", "Keep strips dry.", "Short note", "Plain paragraph after."]),
    ]


def test_bold_line_before_br_content_opens_a_section() -> None:
    page = _html("bold_br.html")
    assert _sections(page) == [
        ("Summary", ["A machine that keeps the airway open during sleep."]),
        ("Indications", ["Obstructive sleep apnea"]),
        ("Mask care", ["Wash the mask daily"]),  # unknown, not merged into Indications
        ("Risks", ["Dry nose"]),
    ]


def test_tab_panels_pair_with_their_tabs() -> None:
    page = _html("tabs.html")
    assert _sections(page) == [
        ("Summary", ["A yearly Medicare visit."]),  # by aria-controls
        ("Duration", ["About 30 minutes."]),  # by aria-controls, no aria-labelledby
        ("Personnel", ["Physician"]),  # by aria-labelledby only
    ]
    assert page.lead == ["Annual wellness visit, subsequent visit"]


def test_bold_labels_inside_list_items_are_sections() -> None:
    page = _html("li_labels.html")
    assert _sections(page) == [
        ("Summary", ["Sound waves create pictures of the pelvis."]),
        ("Preparation", ["Drink 32 ounces of water.", "Do not empty your bladder."]),
        ("Duration", ["About 30 minutes."]),
        # a list where not every item is labelled stays a list
        ("Notes", ["Tip: Wear loose clothing.", "Bring your referral."]),
    ]
    assert page.sections[1].items == ["Drink 32 ounces of water.", "Do not empty your bladder."]


def test_labelled_descriptor_wins_over_the_h1() -> None:
    page = _html("descriptor_label.html")
    assert page.descriptor == "Neuroplasty and/or transposition; median nerve at carpal tunnel"
    assert ("h1", "64721 Carpal tunnel release") in [(h.where, h.text) for h in page.hints]


def test_permalink_glyphs_are_not_heading_text() -> None:
    page = _html("anchors.html")
    assert [s.heading for s in page.sections] == ["Summary", "Indications", "Risks"]


def test_markdown_marks_are_stripped_from_text_pages() -> None:
    page = parse_text((FIXTURES / "markdown.txt").read_text(encoding="utf-8"))
    assert page.descriptor == "Electrocardiogram, routine ECG with at least 12 leads; with interpretation and report"
    assert page.lead[0] == "CPT 93000"
    assert _sections(page) == [
        ("Summary", ["Electrodes record the electrical activity of the heart; a physician reads the tracing."]),
        ("Indications", ["Chest pain", "Palpitations", "Dose 2*3*4 mg"]),
    ]
    assert strip_markdown("**Label:** value") == "Label: value"
    assert strip_markdown("#1 cause") == "#1 cause"  # no space after "#": not a heading mark


def test_known_label_alone_in_the_lead_opens_a_section() -> None:
    page = parse_text("Search all medical codes\n\nResection of Appendix, Open Approach\n\nICD-10-PCS code 0DTJ0ZZ\n\n"
                      "Also called\n\nOpen appendectomy\n\nWhat is it?\n\nThe appendix is removed.\n")
    assert page.sections[0].heading == "Also called"
    assert page.sections[0].paragraphs == ["Open appendectomy"]
    assert page.descriptor == "Resection of Appendix, Open Approach"
