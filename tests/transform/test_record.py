"""ParsedPage + RawPage → contract rows, end to end on the seed and on hand-built pages."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from extract.document import Block, CodeHint, ParsedPage, Section
from extract.rawpage import RawPage
from extract.text_parser import parse_text
from schemas.reasons import QuarantineEntry
from schemas.tables import columns
from transform.record import PageRecord, build_record

# The seed page, as committed beside the parser tests (a byte copy of seeds/000_8059bbc75203bceb.txt).
SEED = Path(__file__).resolve().parents[1] / "extract" / "parser_fixtures" / "seed_000_8059bbc75203bceb.txt"
WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def raw(url: str, body: bytes = b"page bytes") -> RawPage:
    return RawPage(source_url=url, body=body, fetched_at=WHEN)


@pytest.fixture(scope="module")
def seed() -> PageRecord:
    body = SEED.read_bytes()
    record = build_record(parse_text(body.decode("utf-8")), raw("file:///corpus/cpt_62310.txt", body))
    assert isinstance(record, PageRecord), record
    return record


def test_seed_code_title_and_license(seed):
    row = seed.code_row
    assert (row["code_system"], row["code"], row["license"]) == ("CPT", "62310", "ama_cpt")
    assert row["title"] == (
        "Injection(s), of diagnostic or therapeutic substance(s) (including anesthetic, antispasmodic, opioid, "
        "steroid, other solution), not including neurolytic substances, including needle or catheter placement, "
        "includes contrast for localization when performed,")
    assert row["name"] == "Injection(s) of diagnostic or therapeutic substance(s)"
    assert row["source_url"] == "file:///corpus/cpt_62310.txt" and row["fetched_at"] == WHEN
    assert row["content_sha256"] == raw("x", SEED.read_bytes()).sha256


def test_seed_lists(seed):
    row = seed.code_row
    assert row["indications"] == ["Chronic pain conditions", "Acute pain management", "Muscle spasms",
                                  "Inflammatory conditions", "Diagnostic purposes for unexplained pain"]
    assert len(row["preparation"]) == 3 and row["preparation"][0].startswith("Follow any fasting")
    assert len(row["procedure_steps"]) == 5 and row["procedure_steps"][0] == "The procedure area is cleaned and sterilized."
    assert row["personnel"] == ["Physician (often a pain specialist or anesthesiologist)", "Nurse",
                                "Radiologic technologist (if imaging is used)"]
    assert row["benefits"][0] == "Immediate or gradual pain relief" and len(row["benefits"]) == 4
    assert len(row["recovery"]) == 4 and row["recovery"][2] == "Avoid strenuous activities for 24-48 hours."
    assert row["alternatives"] == ["Oral medications (pain relievers, anti-inflammatory drugs)", "Physical therapy",
                                   "Surgical interventions", "Other interventional pain management techniques"]


def test_seed_duration_setting_risks_experience(seed):
    row = seed.code_row
    assert row["duration"] == "The procedure typically takes about 30 minutes to 1 hour."
    assert (row["duration_min_minutes"], row["duration_max_minutes"]) == (30, 60)
    assert row["settings"] == ["outpatient clinic", "hospital", "surgical center"]
    assert row["risks_common"] == ["localized pain or discomfort", "bleeding", "infection at the injection site"]
    assert row["risks_rare"] == ["allergic reactions", "nerve damage", "systemic infection"]
    assert row["patient_experience"].startswith("During the procedure, you may feel a brief sting")


def test_seed_sections_are_all_kept_in_order(seed):
    keys = [r["key"] for r in seed.section_rows]
    assert keys == ["name", "summary", "purpose", "indications", "preparation", "procedure_steps", "duration",
                    "setting", "personnel", "risks", "benefits", "recovery", "alternatives", "patient_experience",
                    "similar_codes"]
    first = seed.section_rows[0]
    assert first["heading"] == "Name of the Procedure" and first["ordinal"] == 0
    indications = seed.section_rows[3]
    assert indications["items"][0] == "Chronic pain conditions"
    assert indications["text"].endswith("who have not responded adequately to other treatments.")
    assert seed.related_rows == []


def test_code_row_has_exactly_the_contract_columns_in_order(seed):
    assert list(seed.code_row) == columns("codes")


def test_seed_without_a_code_in_its_name_is_quarantined():
    body = SEED.read_bytes()
    entry = build_record(parse_text(body.decode("utf-8")), raw("file:///corpus/000_8059bbc75203bceb.txt", body))
    assert isinstance(entry, QuarantineEntry)
    assert (entry.stage, entry.reason) == ("parse", "code_not_found")
    assert entry.content_sha256 == raw("x", body).sha256


def hand_page(**kw) -> ParsedPage:
    defaults = dict(
        descriptor="99213 - Office or other outpatient visit for the evaluation and management of an established patient",
        hints=[CodeHint("label", "CPT® code")],
        sections=[
            Section("Name of the Procedure:", [Block("Name of the Procedure: Office visit")]),
            Section("Risks", [Block("Common: mild discomfort", "item")]),
            Section("Rare Risks", [Block("Fainting", "item")]),
            Section("Preparation", [Block("Bring your medication list."), Block("Arrive early.")]),
            Section("Recovery", [Block("Rest", "item"), Block("Drink fluids", "item", 1)]),
            Section("Unheard-of Heading", [Block("Some text.")]),
            Section("Similar Codes", [Block("99214 - Office visit, moderate", "item")]),
        ],
    )
    defaults.update(kw)
    return ParsedPage(**defaults)


def test_hand_built_page_conventions():
    record = build_record(hand_page(), raw("https://example.org/visit"))
    assert isinstance(record, PageRecord), record
    row = record.code_row
    assert (row["code_system"], row["code"]) == ("CPT", "99213")
    assert row["title"] == "Office or other outpatient visit for the evaluation and management of an established patient"
    assert row["name"] == "Office visit"
    assert (row["risks_common"], row["risks_rare"]) == (["mild discomfort"], ["Fainting"])
    assert row["preparation"] == ["Bring your medication list.", "Arrive early."]
    assert row["recovery"] == ["Rest", "Drink fluids"]
    assert row["summary"] is None and row["indications"] == [] and row["duration_min_minutes"] is None
    assert [s["key"] for s in record.section_rows][-2:] == [None, "similar_codes"]
    assert record.section_rows[0]["heading"] == "Name of the Procedure"
    assert record.related_rows == [{"code_system": "CPT", "code": "99213", "related_code_system": "CPT",
                                    "related_code": "99214", "related_title": "Office visit, moderate",
                                    "relation": "similar"}]


@pytest.mark.parametrize("descriptor, title", [
    ("CPT® 99213: Office visit, established", "Office visit, established"),
    ("ICD-10-CM S72.001A Fracture of unspecified part of neck of right femur",
     "Fracture of unspecified part of neck of right femur"),
    ("Office visit, established (99213)", "Office visit, established"),
    ("Office   visit,\u200b established,", "Office visit, established,"),
])
def test_title_strips_the_printed_code_and_label(descriptor, title):
    code_hint = CodeHint("label", "ICD-10-CM" if "S72" in descriptor else "CPT")
    url = "https://example.org/s72001a" if "S72" in descriptor else "https://example.org/99213"
    record = build_record(hand_page(descriptor=descriptor, hints=[code_hint]), raw(url))
    assert record.code_row["title"] == title


def test_descriptor_that_is_only_a_code_falls_back_to_the_lead():
    parsed = hand_page(descriptor="CPT 99213", lead=["CPT 99213", "Search all medical codes",
                                                     "Office or other outpatient visit"])
    assert build_record(parsed, raw("https://example.org/x")).code_row["title"] == "Office or other outpatient visit"


def test_no_title_is_quarantined():
    entry = build_record(hand_page(descriptor="CPT 99213", lead=["CPT4 code"]), raw("https://example.org/x"))
    assert isinstance(entry, QuarantineEntry) and entry.reason == "title_not_found"


def test_code_without_system_is_quarantined():
    entry = build_record(hand_page(hints=[]), raw("https://example.org/x"))
    assert isinstance(entry, QuarantineEntry) and entry.reason == "code_system_not_found"


def test_hcpcs_d_code_is_ada_cdt():
    parsed = hand_page(descriptor="D1110: Prophylaxis - adult", hints=[CodeHint("lead", "HCPCS Level II / CDT dental code")])
    row = build_record(parsed, raw("https://example.org/x")).code_row
    assert (row["code_system"], row["code"], row["title"], row["license"]) == ("HCPCS", "D1110", "Prophylaxis - adult", "ada_cdt")
