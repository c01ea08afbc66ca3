"""Plain-text pages: the seed page section by section, and the other line shapes text pages use."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.document import CodeHint
from extract.text_parser import looks_like_system_label, parse_text, strip_marker

FIXTURES = Path(__file__).parent / "parser_fixtures"
SEED_NAME = "000_8059bbc75203bceb.txt"
SHARED_SEED = Path(__file__).parents[2].parent / "shared" / "seeds" / SEED_NAME
DESCRIPTOR = (
    "Injection(s), of diagnostic or therapeutic substance(s) (including anesthetic, antispasmodic, "
    "opioid, steroid, other solution), not including neurolytic substances, including needle or "
    "catheter placement, includes contrast for localization when performed,"
)
EXPECTED_HEADINGS = [
    "Name of the Procedure", "Summary", "Purpose", "Indications", "Preparation",
    "Procedure Description", "Duration", "Setting", "Personnel", "Risks and Complications",
    "Benefits", "Recovery", "Alternatives", "Patient Experience", "Similar Codes",
]


def _seed_paths() -> list[Path]:
    paths = [FIXTURES / f"seed_{SEED_NAME}"]
    if SHARED_SEED.exists():
        paths.append(SHARED_SEED)
    return paths


@pytest.fixture(params=_seed_paths(), ids=lambda p: p.parent.name)
def seed(request):
    return parse_text(request.param.read_text(encoding="utf-8"))


def test_seed_sections_in_order(seed) -> None:
    assert [s.heading for s in seed.sections] == EXPECTED_HEADINGS


def test_seed_lead_descriptor_and_hints(seed) -> None:
    assert seed.lead == ["Search all medical codes", DESCRIPTOR, "CPT4 code"]
    assert seed.descriptor == DESCRIPTOR
    assert CodeHint("label", "CPT4 code") in seed.hints
    assert [h.text for h in seed.hints if h.where == "lead"] == seed.lead


def test_seed_section_contents(seed) -> None:
    by = {s.heading: s for s in seed.sections}
    assert by["Name of the Procedure"].paragraphs == ["Injection(s) of diagnostic or therapeutic substance(s)"]
    assert by["Name of the Procedure"].items == []
    assert len(by["Indications"].items) == 5
    assert by["Indications"].items[0] == "Chronic pain conditions"
    assert by["Indications"].paragraphs == [
        "Appropriate for patients experiencing the above symptoms who have not responded adequately to other treatments."
    ]
    assert by["Preparation"].items[1] == "Adjust medications as advised, particularly blood thinners."
    assert len(by["Preparation"].items) == 3
    steps = by["Procedure Description"].items
    assert len(steps) == 5 and steps[0] == "The procedure area is cleaned and sterilized."
    assert not any(s[0].isdigit() for s in steps)
    assert by["Duration"].text == "The procedure typically takes about 30 minutes to 1 hour."
    assert by["Setting"].paragraphs == ["The procedure is usually performed in an outpatient clinic, hospital, or surgical center."]
    assert by["Personnel"].items == ["Physician (often a pain specialist or anesthesiologist)", "Nurse",
                                     "Radiologic technologist (if imaging is used)"]
    risks = by["Risks and Complications"].items
    assert risks[0] == "Common: localized pain or discomfort, bleeding, infection at the injection site"
    assert risks[1].startswith("Rare: allergic reactions") and len(risks) == 2
    assert len(by["Benefits"].items) == 4 and len(by["Recovery"].items) == 4
    assert by["Recovery"].items[2] == "Avoid strenuous activities for 24-48 hours."
    assert len(by["Alternatives"].items) == 4 and len(by["Alternatives"].paragraphs) == 1
    assert by["Patient Experience"].paragraphs[0].startswith("During the procedure, you may feel")
    assert by["Similar Codes"].blocks == []
    assert all(b.depth == 0 for s in seed.sections for b in s.blocks)


def test_label_value_lines_steps_and_nesting() -> None:
    page = parse_text((FIXTURES / "label_value.txt").read_text(encoding="utf-8"))
    by = {s.heading: s for s in page.sections}
    assert list(by) == ["Summary", "Duration", "Setting", "Procedure Steps", "Personnel", "Risks",
                        "Billing Notes", "Alternatives"]
    assert by["Duration"].text == "30 to 39 minutes"
    assert by["Setting"].text == "Physician office"
    assert by["Procedure Steps"].items == ["Review history.", "Examine the patient.", "Plan treatment."]
    assert [(b.text, b.depth) for b in by["Personnel"].blocks] == [
        ("Physician", 0), ("Scribe (optional)", 1), ("Nurse", 0)]
    assert by["Risks"].items == ["None significant"]
    # a wrapped line joins its paragraph; an unknown title-case line after content is a section
    assert by["Billing Notes"].paragraphs == ["Use modifier 25 when a procedure is also performed on the same day."]
    assert by["Alternatives"].items == ["Telehealth visit", "Nurse visit"]
    assert page.lead[0] == "Home"
    assert page.descriptor.startswith("99214 - Office")
    assert CodeHint("label", "CPT code") in page.hints


def test_lead_stays_lead_until_a_known_heading() -> None:
    page = parse_text("CPT 99213\n\nOffice Visit Established Patient\n\nOverview\n\nA short visit.\n")
    assert page.lead == ["CPT 99213", "Office Visit Established Patient"]
    assert [s.heading for s in page.sections] == ["Overview"]


def test_sub_labels_inside_a_known_section_stay_in_it() -> None:
    page = parse_text("Risks\n\nCommon:\n- pain\n- bruising\nRare:\n- infection\n")
    assert [s.heading for s in page.sections] == ["Risks"]
    assert page.sections[0].paragraphs == ["Common:", "Rare:"]
    assert page.sections[0].items == ["pain", "bruising", "infection"]


def test_empty_and_whitespace_text() -> None:
    assert parse_text("").sections == [] and parse_text(" \n\u200b\n").lead == []


@pytest.mark.parametrize(
    ("line", "rest"),
    [("• Item", "Item"), ("•Item", "Item"), ("- Item", "Item"), ("* Item", "Item"), ("– Item", "Item"),
     ("1. Item", "Item"), ("12) Item", "Item"), ("(3) Item", "Item"), ("a. Item", "Item"),
     ("Step 2: Item", "Item"), ("-Item", None), ("1.5 mg", None), ("24-48 hours", None), ("A. Smith", None)],
)
def test_strip_marker(line: str, rest: str | None) -> None:
    assert strip_marker(line) == rest
    assert strip_marker(line) == rest  # (the kept answer)
    long = " and more" * 12  # past the length of texts whose answers are kept
    assert strip_marker(line + long) == (rest + long if rest is not None else None)


def test_system_labels() -> None:
    assert looks_like_system_label("CPT4 code")
    assert looks_like_system_label("ICD-10-CM Diagnosis Code")
    assert looks_like_system_label("HCPCS Level II")
    assert not looks_like_system_label("Physical therapy")
    assert not looks_like_system_label("This long sentence mentions CPT but is not a label at all.")
