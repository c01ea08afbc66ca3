"""Hand-built, realistic tables for schema and output tests (five codes, four systems, three licenses)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pandas as pd

FETCHED = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=timezone.utc)
SEEN = datetime(2024, 5, 1, 12, 31, tzinfo=timezone.utc)

_LISTS = ("indications", "preparation", "procedure_steps", "settings", "personnel", "risks_common",
          "risks_rare", "benefits", "recovery", "alternatives")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _code(system: str, code: str, title: str, license: str, url: str, **extra) -> dict:
    row = {
        "code_system": system, "code": code, "title": title, "name": None, "summary": None,
        "purpose": None, "duration": None, "duration_min_minutes": None,
        "duration_max_minutes": None, "setting": None, "patient_experience": None,
        **{name: [] for name in _LISTS},
        "license": license, "source_url": url, "content_sha256": sha(url), "fetched_at": FETCHED,
    }
    row.update(extra)
    return row


def codes_rows() -> list[dict]:
    return [
        _code("CPT", "99213",
              "Office or other outpatient visit for the evaluation and management of an established "
              "patient, which requires a medically appropriate history and/or examination and low "
              "level of medical decision making",
              "ama_cpt", "https://codes.example.org/cpt/99213",
              name="Established patient office visit", summary="A follow-up visit with a known patient.",
              duration="about 20 to 29 minutes", duration_min_minutes=20, duration_max_minutes=29,
              setting="Outpatient clinic", settings=["outpatient clinic"], personnel=["Physician"],
              procedure_steps=["Review history", "Examine the patient", "Adjust the treatment plan"]),
        _code("ICD-10-CM", "S72.001A",
              "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture",
              "public_domain", "file:///data/pages/icd10cm/S72.001A.html",
              name="Hip fracture, right", risks_common=["Pain", "Swelling"],
              risks_rare=["Blood clots", "Avascular necrosis of the femoral head"],
              patient_experience="Émilie felt a sharp pain — then relief after surgery."),
        _code("HCPCS", "J1100", "Injection, dexamethasone sodium phosphate, 1 mg", "public_domain",
              "https://codes.example.org/hcpcs/J1100", setting="Clinic or hospital",
              settings=["outpatient clinic", "hospital"]),
        _code("HCPCS", "D0120", "Periodic oral evaluation - established patient", "ada_cdt",
              "https://codes.example.org/hcpcs/D0120", duration="about 30 minutes to 1 hour",
              duration_min_minutes=30, duration_max_minutes=60),
        _code("ICD-10-PCS", "0DTJ4ZZ", "Resection of Appendix, Percutaneous Endoscopic Approach",
              "public_domain", "https://codes.example.org/icd10pcs/0DTJ4ZZ",
              name="Laparoscopic appendectomy", setting="Hospital", settings=["hospital"],
              personnel=["General surgeon", "Anesthesiologist"],
              procedure_steps=["General anesthesia", "Three small incisions", "Appendix removed"]),
    ]


def codes_frame() -> pd.DataFrame:
    return pd.DataFrame(codes_rows())


def sections_frame() -> pd.DataFrame:
    rows = [
        ("ICD-10-CM", "S72.001A", 1, "risks", "Risks and Complications", "Pain\nSwelling", ["Pain", "Swelling"]),
        ("ICD-10-CM", "S72.001A", 0, "name", "Name of the Procedure", "Hip fracture, right", []),
        ("CPT", "99213", 0, "summary", "Summary", "A follow-up visit with a known patient.", []),
        ("CPT", "99213", 1, None, "Billing Tips", "Document the time spent.", []),
        ("ICD-10-PCS", "0DTJ4ZZ", 0, "procedure_steps", "Procedure Description",
         "General anesthesia\nThree small incisions\nAppendix removed",
         ["General anesthesia", "Three small incisions", "Appendix removed"]),
    ]
    return pd.DataFrame(rows, columns=["code_system", "code", "ordinal", "key", "heading", "text", "items"])


def related_frame() -> pd.DataFrame:
    rows = [
        ("ICD-10-CM", "S72.001A", "ICD-10-CM", "S72.002A", "Fracture of unspecified part of neck of left femur",
         "similar"),
        ("CPT", "99213", "CPT", "99214", None, "similar"),
        ("CPT", "99213", "CPT", "99212", "Office visit, straightforward", "similar"),
    ]
    return pd.DataFrame(rows, columns=["code_system", "code", "related_code_system", "related_code",
                                       "related_title", "relation"])


def quarantine_frame() -> pd.DataFrame:
    rows = [
        ("https://codes.example.org/cpt/unknown", "parse", "code_not_found",
         "no code in heading, title, URL or metadata", sha("unknown"), SEEN),
        ("https://codes.example.org/hcpcs/gone", "fetch", "http_404", "HTTP 404 Not Found", None, SEEN),
    ]
    return pd.DataFrame(rows, columns=["source_url", "stage", "reason", "detail", "content_sha256", "seen_at"])


def changes_frame() -> pd.DataFrame:
    codes = codes_frame()
    return pd.DataFrame({
        "code_system": codes["code_system"], "code": codes["code"], "change": "added",
        "changed_fields": [[] for _ in range(len(codes))], "previous_content_sha256": None,
        "content_sha256": codes["content_sha256"],
    })


def sample_tables() -> dict[str, pd.DataFrame]:
    return {
        "codes": codes_frame(), "sections": sections_frame(), "related_codes": related_frame(),
        "quarantine": quarantine_frame(), "changes": changes_frame(),
    }
