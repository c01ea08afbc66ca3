"""Round-3 held-out layouts: mobile + desktop copies of the same sections, unknown run-in
bold labels on pages that label their sections that way, and "Long descriptor" blocks
(see `extract.html_parser._drop_repeats`, `_run_in_label`, `_labelled_descriptor`)."""

from __future__ import annotations

from pathlib import Path

from extract.document import CodeHint
from extract.html_parser import parse_html

FIXTURES = Path(__file__).parent / "html_round3_fixtures"


def _parse(name: str):
    return parse_html((FIXTURES / name).read_text(encoding="utf-8"))


def test_sections_repeated_word_for_word_are_kept_once_but_hidden_panels_stay() -> None:
    page = _parse("mobile_desktop.html")
    assert [s.heading for s in page.sections] == ["Summary", "Risks", "Recovery"]
    assert page.sections[0].text == "Steroid is injected."
    assert page.sections[1].items == ["Headache"]
    assert page.sections[2].text == "Rest for a day."


def test_unknown_run_in_labels_open_sections_on_a_run_in_page() -> None:
    page = _parse("run_in_labels.html")
    by = {s.heading: s for s in page.sections}
    assert list(by) == ["Summary", "Setting", "Billing notes", "Dosage"]
    assert by["Setting"].text == "Infusion center."
    assert by["Billing notes"].text == "1 unit = 10 mg; report the NDC."
    assert by["Dosage"].text.startswith("5 mg/kg at weeks 0, 2 and 6.")
    assert "stays in Dosage" in by["Dosage"].text  # a long bold opening is not a label


def test_note_label_stays_in_its_section_without_run_in_labels() -> None:
    page = _parse("note_in_section.html")
    assert [s.heading for s in page.sections] == ["Summary", "Setting"]
    assert page.sections[0].paragraphs == ["A corticosteroid injection.", "Note: dose is billed per 40 mg."]


def test_long_descriptor_label_div_gives_descriptor_and_h1_stays_a_hint() -> None:
    page = _parse("long_label_div.html")
    assert page.descriptor == "Office or other outpatient visit, established patient, low complexity."
    assert CodeHint("h1", "99213 CPT") in page.hints


def test_long_descriptor_heading_without_h1_is_never_the_descriptor() -> None:
    page = _parse("long_label_h3.html")
    assert page.descriptor == "Colonoscopy, flexible; diagnostic"
    assert [s.heading for s in page.sections] == ["Long descriptor", "Summary"]


def test_long_description_class_gives_descriptor() -> None:
    page = _parse("long_label_class.html")
    assert page.descriptor == "Oxygen concentrator, single delivery port, 85 percent or greater"
    assert page.hints[0] == CodeHint("h1", "Oxygen concentrator")
