"""The seed page, end to end through the per-page pipeline, against a record written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.local import read_local_file
from medcodes.pipeline import process_raw_page
from medcodes.sample import sample_pages_dir
from transform.record import PageRecord

SEED_COPY = sample_pages_dir() / "text" / "cpt_62310.txt"
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_8059bbc75203bceb.txt"

EXPECTED = {
    "code_system": "CPT",
    "code": "62310",
    "title": (
        "Injection(s), of diagnostic or therapeutic substance(s) (including anesthetic, antispasmodic, "
        "opioid, steroid, other solution), not including neurolytic substances, including needle or "
        "catheter placement, includes contrast for localization when performed,"
    ),
    "name": "Injection(s) of diagnostic or therapeutic substance(s)",
    "summary": (
        "This procedure involves injecting diagnostic or therapeutic substances, such as anesthetics, "
        "antispasmodics, opioids, steroids, or other solutions, into the body. It does not include "
        "neurolytic substances and may involve the use of needles or catheters to deliver the substance "
        "and contrast material for proper localization."
    ),
    "purpose": (
        "The procedure is designed to diagnose or treat various medical conditions by delivering "
        "medications directly to the targeted area. The goal is to provide pain relief, reduce "
        "inflammation, or relax muscles, thereby improving the patient\u2019s symptoms and quality of life."
    ),
    "indications": [
        "Chronic pain conditions", "Acute pain management", "Muscle spasms",
        "Inflammatory conditions", "Diagnostic purposes for unexplained pain",
    ],
    "preparation": [
        "Follow any fasting instructions provided by your healthcare provider.",
        "Adjust medications as advised, particularly blood thinners.",
        "Undergo necessary diagnostic tests such as blood work or imaging studies.",
    ],
    "procedure_steps": [
        "The procedure area is cleaned and sterilized.",
        "Local anesthesia may be administered to numb the injection site.",
        "A needle or catheter is guided to the target area, sometimes using imaging techniques like "
        "fluoroscopy for precise placement.",
        "The diagnostic or therapeutic substance is injected.",
        "If contrast material is used, it helps in visual confirmation of the correct location.",
    ],
    "duration": "The procedure typically takes about 30 minutes to 1 hour.",
    "duration_min_minutes": 30,
    "duration_max_minutes": 60,
    "setting": "The procedure is usually performed in an outpatient clinic, hospital, or surgical center.",
    "settings": ["outpatient clinic", "hospital", "surgical center"],
    "personnel": [
        "Physician (often a pain specialist or anesthesiologist)", "Nurse",
        "Radiologic technologist (if imaging is used)",
    ],
    "risks_common": ["localized pain or discomfort", "bleeding", "infection at the injection site"],
    "risks_rare": ["allergic reactions", "nerve damage", "systemic infection"],
    "benefits": [
        "Immediate or gradual pain relief", "Reduced inflammation or muscle spasms",
        "Improved mobility and function", "Diagnostic clarity for unexplained pain conditions",
    ],
    "recovery": [
        "You may be monitored for a short time after the injection to ensure there are no adverse reactions.",
        "Expect to rest for the remainder of the day.",
        "Avoid strenuous activities for 24-48 hours.",
        "Follow-up appointments to assess effectiveness and plan further treatments if necessary.",
    ],
    "alternatives": [
        "Oral medications (pain relievers, anti-inflammatory drugs)", "Physical therapy",
        "Surgical interventions", "Other interventional pain management techniques",
    ],
    "patient_experience": (
        "During the procedure, you may feel a brief sting from the needle and pressure as the substance "
        "is injected. Post-procedure discomfort is typically mild and manageable with over-the-counter "
        "pain relievers. Rest and relaxation, along with any prescribed medications, will aid in a "
        "smoother recovery."
    ),
    "license": "ama_cpt",
}

EXPECTED_SECTIONS = [
    ("name", "Name of the Procedure"), ("summary", "Summary"), ("purpose", "Purpose"),
    ("indications", "Indications"), ("preparation", "Preparation"),
    ("procedure_steps", "Procedure Description"), ("duration", "Duration"), ("setting", "Setting"),
    ("personnel", "Personnel"), ("risks", "Risks and Complications"), ("benefits", "Benefits"),
    ("recovery", "Recovery"), ("alternatives", "Alternatives"),
    ("patient_experience", "Patient Experience"), ("similar_codes", "Similar Codes"),
]


@pytest.fixture(scope="module")
def seed_record() -> PageRecord:
    record = process_raw_page(read_local_file(SEED_COPY))
    assert isinstance(record, PageRecord), record
    return record


def test_sample_copy_is_the_seed_byte_for_byte():
    if not SHARED_SEED.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    assert SEED_COPY.read_bytes() == SHARED_SEED.read_bytes()


@pytest.mark.parametrize("field", list(EXPECTED))
def test_seed_field(seed_record: PageRecord, field: str):
    assert seed_record.code_row[field] == EXPECTED[field]


def test_seed_provenance(seed_record: PageRecord):
    row = seed_record.code_row
    assert row["source_url"] == SEED_COPY.resolve().as_uri()
    assert len(row["content_sha256"]) == 64
    assert row["fetched_at"].tzinfo is not None


def test_seed_sections_in_page_order_nothing_dropped(seed_record: PageRecord):
    got = [(s["key"], s["heading"]) for s in seed_record.section_rows]
    assert got == EXPECTED_SECTIONS
    assert [s["ordinal"] for s in seed_record.section_rows] == list(range(len(EXPECTED_SECTIONS)))
    risks = next(s for s in seed_record.section_rows if s["key"] == "risks")
    # the section keeps everything printed, including the note the risk lists leave out
    assert "Immediate medical attention is necessary for severe complications." in risks["text"]
    indications = next(s for s in seed_record.section_rows if s["key"] == "indications")
    assert indications["text"].endswith("who have not responded adequately to other treatments.")


def test_seed_without_code_in_file_name_is_quarantined_not_guessed(tmp_path: Path):
    anonymous = tmp_path / "000_8059bbc75203bceb.txt"
    anonymous.write_bytes(SEED_COPY.read_bytes())
    outcome = process_raw_page(read_local_file(anonymous))
    assert not isinstance(outcome, PageRecord)
    assert outcome.reason == "code_not_found"
