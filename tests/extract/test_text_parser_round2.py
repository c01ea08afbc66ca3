"""Plain-text layouts from round 2: numbered and underlined headings, "o " bullets, label lines
alone on their line, and the descriptor printed next to the code's label."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.text_parser import parse_text, pick_descriptor, strip_marker

FIXTURES = Path(__file__).parent / "text_round2_fixtures"


def _parse(name: str):
    return parse_text((FIXTURES / name).read_text(encoding="utf-8"))


def test_numbered_known_labels_are_headings_and_numbered_steps_stay_items() -> None:
    page = _parse("numbered_sections.txt")
    assert [s.heading for s in page.sections] == ["Summary", "Preparation", "Procedure Description", "Recovery"]
    assert page.sections[0].paragraphs == ["The wound is cleaned and closed with stitches."]
    assert page.sections[1].items == ["Wash the area.", "Stop blood thinners if told to."]
    assert page.sections[2].items == [
        "The area is cleaned.", "Local anaesthetic is injected.", "The wound is stitched."]
    assert page.sections[3].paragraphs == ["Keep the wound dry for two days."]


def test_descriptor_is_the_line_next_to_the_code_label_not_the_site_name() -> None:
    page = _parse("word_export.txt")
    assert page.descriptor == "Destruction of a benign skin lesion, up to 14 lesions"


@pytest.mark.parametrize(
    ("lead", "descriptor"),
    [
        (["ICD-10-PCS 0SR90J9", "Replacement of right hip joint"], "Replacement of right hip joint"),
        (["Home > CPT > 99213", "Office visit, low complexity", "CPT4 code"], "Office visit, low complexity"),
        (["A01.00", "Typhoid fever, unspecified", "ICD-10-CM Diagnosis Code"], "Typhoid fever, unspecified"),
        (["Acme Code Lookup", "Some descriptor"], "Some descriptor"),
    ],
)
def test_pick_descriptor(lead: list[str], descriptor: str) -> None:
    assert pick_descriptor(lead) == descriptor


def test_word_export_o_bullets_are_items() -> None:
    page = _parse("word_export.txt")
    by_heading = {s.heading: s for s in page.sections}
    assert by_heading["Indications"].items == ["Common warts", "Flat warts"]
    assert by_heading["Steps"].items == ["The lesion is frozen.", "It blisters and falls off."]
    assert by_heading["Indications"].paragraphs == []


@pytest.mark.parametrize(("line", "rest"), [("o Item", "Item"), ("  o Two words", "Two words"),
                                             ("of course", None), ("o", None), ("Oral route", None)])
def test_o_marker(line: str, rest: str | None) -> None:
    assert strip_marker(line) == rest


def test_underlined_headings_and_no_underline_in_text() -> None:
    page = _parse("underlined.txt")
    assert [s.heading for s in page.sections] == ["Summary", "Clinical Notes", "Excludes1"]
    assert page.sections[0].paragraphs == ["An infection with Salmonella typhi, not further specified."]
    assert page.sections[1].items == ["Fever over several days", "Abdominal pain"]
    every_text = [b.text for s in page.sections for b in s.blocks] + page.lead
    assert not any(set(t) <= set("=-~_ ") for t in every_text)


def test_underline_under_a_lead_line_keeps_it_lead() -> None:
    page = parse_text("Typhoid fever, unspecified\n==========================\nA01.00\n\nSummary\n\nFever.\n")
    assert page.lead == ["Typhoid fever, unspecified", "A01.00"]
    assert [s.heading for s in page.sections] == ["Summary"]


def test_unknown_label_lines_open_their_own_sections_and_inline_notes_stay_text() -> None:
    page = _parse("label_lines.txt")
    assert [s.heading for s in page.sections] == ["Summary", "Code also", "Use additional code", "Risks"]
    assert page.sections[0].paragraphs == [
        "An injury first treated at this encounter.", "Note: record the cause as well."]
    assert page.sections[1].items == ["any associated wound infection"]
    assert page.sections[2].items == ["to identify the external cause"]
    assert page.sections[3].paragraphs == ["Common:", "Rare:"]
    assert page.sections[3].items == ["pain", "infection"]


def test_lead_in_sentence_with_colon_stays_in_its_section() -> None:
    page = parse_text("Preparation\n\nArrive early.\n\nPlease bring the following:\n- your letter\n")
    assert [s.heading for s in page.sections] == ["Preparation"]
    assert page.sections[0].items == ["your letter"]
