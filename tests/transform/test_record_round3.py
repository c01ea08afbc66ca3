"""Round-3 record rules: a lone paragraph of short phrases as list items, and the title a
"Long descriptor" label introduces."""

from __future__ import annotations

from datetime import datetime, timezone

from extract.document import Block, ParsedPage, Section
from extract.rawpage import RawPage
from transform.lists import split_phrases
from transform.record import PageRecord, build_record

WHEN = datetime(2024, 5, 1, tzinfo=timezone.utc)


def record(sections: list[Section], descriptor: str = "CPT 45378 Colonoscopy", lead: list[str] | None = None) -> dict:
    page = ParsedPage(sections=sections, descriptor=descriptor, lead=lead or [])
    built = build_record(page, RawPage(source_url="https://x.test/cpt/45378", body=b"x", fetched_at=WHEN))
    assert isinstance(built, PageRecord), built
    return built.code_row


def test_label_repeating_the_heading_is_dropped_and_phrases_split():
    row = record([Section("Care team", [Block("Personnel: surgeon, anesthesiologist, scrub nurse.")])])
    assert row["personnel"] == ["surgeon", "anesthesiologist", "scrub nurse"]


def test_oxford_and_plain_final_conjunction():
    row = record([
        Section("Personnel", [Block("Cardiac surgeon, perfusionist, cardiac anesthesiologist, and surgical assistant.")]),
        Section("Indications", [Block("Venous leg ulcers, diabetic foot ulcers or burns.")]),
    ])
    assert row["personnel"] == ["Cardiac surgeon", "perfusionist", "cardiac anesthesiologist", "surgical assistant"]
    assert row["indications"] == ["Venous leg ulcers", "diabetic foot ulcers", "burns"]


def test_prose_and_long_phrases_stay_one_item():
    prose = "Bring a list of your medicines, and arrive early. Wear loose clothing."
    long_phrase = "A driver who can take you home after the sedation wears off, and a companion."
    assert record([Section("Preparation", [Block(prose)])])["preparation"] == [prose]
    assert record([Section("Recovery", [Block(long_phrase)])])["recovery"] == [long_phrase]
    assert split_phrases("Nurse or medical assistant.") is None  # no comma: not a series


def test_parentheses_are_respected():
    assert split_phrases("Physician (surgeon, or proceduralist), nurse, and technician.") == [
        "Physician (surgeon, or proceduralist)", "nurse", "technician"]


def test_long_descriptor_section_beats_short_heading():
    long = "Colonoscopy, flexible; diagnostic, including collection of specimen(s) by brushing or washing"
    row = record([Section("Long descriptor", [Block(long)])], descriptor="45378 CPT® Diagnostic colonoscopy")
    assert row["title"] == long


def test_long_descriptor_lead_label_and_label_never_a_title():
    long = "Office or other outpatient visit for the evaluation and management of an established patient"
    row = record([], descriptor="99213 CPT®", lead=["Office o/p est low 20 min", "Long descriptor", long])
    assert row["title"] == long
    row = record([], descriptor="Long descriptor", lead=["Colonoscopy, flexible; diagnostic"])
    assert row["title"] == "Colonoscopy, flexible; diagnostic"


def test_plain_description_section_is_not_the_title():
    row = record([Section("Description", [Block("A camera examines the colon.")])])
    assert row["title"] == "Colonoscopy"


def test_why_it_is_done_as_a_list_of_conditions_is_indications(tmp_path):
    from extract.local import read_local_file
    from medcodes.pipeline import process_raw_page

    page = tmp_path / "30233N1.html"
    page.write_text(
        "<html><body><main><h1>ICD-10-PCS 30233N1</h1><p>Transfusion of Nonautologous Red Blood Cells "
        "into Peripheral Vein, Percutaneous Approach</p><h2>Why it is done</h2><ul><li>Symptomatic anemia</li>"
        "<li>Acute blood loss</li></ul><h2>Duration</h2><p>1 to 4 hours.</p></main></body></html>",
        encoding="utf-8",
    )
    record = process_raw_page(read_local_file(page))
    assert record.code_row["indications"] == ["Symptomatic anemia", "Acute blood loss"]
    assert record.code_row["purpose"] is None
    assert [s["key"] for s in record.section_rows] == ["indications", "duration"]
