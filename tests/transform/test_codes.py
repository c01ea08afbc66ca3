"""Code-system labels, canonical codes, formats, licenses and page-code detection."""

from __future__ import annotations

import json

import pytest

from extract.document import CodeHint, ParsedPage
from schemas.reasons import Reason
from transform.code_detect import CodeMatch, detect_code
from transform.codes import canonical_code, canonical_system, is_valid_code, license_for, license_notice


@pytest.mark.parametrize("label, system", [
    ("CPT4 code", "CPT"), ("CPT®", "CPT"), ("CPT-4", "CPT"), ("CPT code", "CPT"), ("cpt", "CPT"),
    ("Current Procedural Terminology", "CPT"), ("CPT® Code", "CPT"), ("HCPCS Level I", "CPT"),
    ("CPT Category III", "CPT"),
    ("HCPCS", "HCPCS"), ("HCPCS Level II", "HCPCS"), ("HCPCS II", "HCPCS"), ("HCPCS Level II code", "HCPCS"),
    ("ICD10CM", "ICD-10-CM"), ("ICD-10 Diagnosis Code", "ICD-10-CM"), ("ICD-10-CM", "ICD-10-CM"),
    ("ICD 10 CM", "ICD-10-CM"), ("icd-10-cm codes", "ICD-10-CM"),
    ("ICD-10-PCS", "ICD-10-PCS"), ("ICD10PCS", "ICD-10-PCS"), ("ICD-10 Procedure Code", "ICD-10-PCS"),
    ("CDT", "CDT"), ("ICD-9-CM", "ICD-9-CM"), ("LOINC", "LOINC"), ("SNOMED CT", "SNOMED CT"),
    ("SNOMED-CT", "SNOMED CT"), ("NDC", "NDC"),
])
def test_canonical_system_maps_printed_labels(label, system):
    assert canonical_system(label) == system


@pytest.mark.parametrize("label", ["Summary", "", "Search all medical codes", "CPT and HCPCS codes"])
def test_canonical_system_refuses_non_labels_and_mixed_labels(label):
    assert canonical_system(label) is None


@pytest.mark.parametrize("system, raw, code", [
    ("ICD-10-CM", "s72001a", "S72.001A"), ("ICD-10-CM", "E1165", "E11.65"), ("ICD-10-CM", "E11.65", "E11.65"),
    ("ICD-10-CM", "t36.0x1a", "T36.0X1A"), ("ICD-10-CM", " I10 ", "I10"), ("ICD-10-CM", "U071", "U07.1"),
    ("ICD-10-CM", "E11.-", "E11"), ("CPT", " 99213 ", "99213"), ("CPT", "0275t", "0275T"),
    ("CPT", "99213®", "99213"), ("HCPCS", "j 1100", "J1100"), ("ICD-10-PCS", "0dtj4zz", "0DTJ4ZZ"),
    ("LOINC", "2345-7", "2345-7"),
])
def test_canonical_code(system, raw, code):
    assert canonical_code(system, raw) == code


@pytest.mark.parametrize("system, code, ok", [
    ("CPT", "99213", True), ("CPT", "0001F", True), ("CPT", "0275T", True), ("CPT", "0001U", True),
    ("CPT", "9921", False), ("CPT", "J1100", False), ("CPT", "992134", False),
    ("HCPCS", "J1100", True), ("HCPCS", "D1110", True), ("HCPCS", "99213", False), ("HCPCS", "W1234", False),
    ("ICD-10-CM", "U07.1", True), ("ICD-10-CM", "S72.001A", True), ("ICD-10-CM", "T36.0X1A", True),
    ("ICD-10-CM", "C4A.0", True), ("ICD-10-CM", "I10", True), ("ICD-10-CM", "E1165", False),
    ("ICD-10-CM", "R10.99999", False), ("ICD-10-CM", "10D00Z1", False),
    ("ICD-10-PCS", "0DTJ4ZZ", True), ("ICD-10-PCS", "10D00Z1", True), ("ICD-10-PCS", "0DTJ4IZ", False),
    ("ICD-10-PCS", "0DTJ4Z", False), ("CDT", "D1110", True), ("LOINC", "2345-7", True),
    ("Some Other System", "anything", True), ("CPT", "", False),
])
def test_is_valid_code(system, code, ok):
    assert is_valid_code(system, code) is ok


@pytest.mark.parametrize("system, code, lic", [
    ("CPT", "99213", "ama_cpt"), ("HCPCS", "J1100", "public_domain"), ("HCPCS", "D1110", "ada_cdt"),
    ("CDT", "D1110", "ada_cdt"), ("ICD-10-CM", "E11.65", "public_domain"),
    ("ICD-10-PCS", "0DTJ4ZZ", "public_domain"), ("LOINC", "2345-7", "loinc"),
])
def test_license_for(system, code, lic):
    assert license_for(system, code) == lic


def test_licensed_text_has_a_notice_and_public_domain_needs_none():
    assert "American Medical Association" in license_notice("ama_cpt")
    assert "American Dental Association" in license_notice("ada_cdt")
    assert license_notice("public_domain") is None


def page(*hints: tuple[str, str], descriptor: str | None = None) -> ParsedPage:
    return ParsedPage(descriptor=descriptor, hints=[CodeHint(w, t) for w, t in hints])


NOWHERE = "https://example.org/page"


@pytest.mark.parametrize("parsed, url, system, code", [
    # the seed: system only in a "CPT4 code" label, code only in the file name
    (page(("label", "CPT4 code")), "file:///data/cpt_62310.txt", "CPT", "62310"),
    (page(("label", "CPT4 code")), "file:///data/62310.html", "CPT", "62310"),
    (page(), "https://www.example.com/cpt/62310", "CPT", "62310"),
    (page(), "https://www.example.com/codes/cpt-codes/99213-office-visit", "CPT", "99213"),
    (page(), "https://www.example.com/ICD10CM/Codes/E00-E89/E08-E13/E11-/E11.65", "ICD-10-CM", "E11.65"),
    (page(), "https://example.com/icd-10-cm/s72001a", "ICD-10-CM", "S72.001A"),
    (page(), "https://hcpcs.example/hcpcs/A0021/", "HCPCS", "A0021"),
    (page(), "https://example.com/lookup?system=cpt&code=99213", "CPT", "99213"),
    (page(), "https://example.com/icd10pcs/0DTJ4ZZ.html", "ICD-10-PCS", "0DTJ4ZZ"),
    (page(descriptor="99213 - Office or other outpatient visit"), "https://example.com/cpt/view", "CPT", "99213"),
    (page(("h1", "ICD-10-CM Diagnosis Code E11.65")), NOWHERE, "ICD-10-CM", "E11.65"),
    (page(("h1", "CPT® 99213: Office visit")), NOWHERE, "CPT", "99213"),
    (page(("title", "HCPCS Level II code J1100 - Dexamethasone | Site")), NOWHERE, "HCPCS", "J1100"),
    (page(("title", "ICD-10 code 0DTJ4ZZ")), NOWHERE, "ICD-10-PCS", "0DTJ4ZZ"),
    (page(("title", "ICD-10 code E11.65")), NOWHERE, "ICD-10-CM", "E11.65"),
    (page(("jsonld", json.dumps({"@type": "MedicalCode", "codeValue": "E1165", "codingSystem": "ICD-10-CM"}))),
     NOWHERE, "ICD-10-CM", "E11.65"),
    (page(("jsonld", "@type=MedicalProcedure; name=Extraction; code.@type=MedicalCode; "
                     "code.codeValue=10D00Z1; code.codingSystem=ICD-10-PCS")), NOWHERE, "ICD-10-PCS", "10D00Z1"),
    (page(("meta:code", "e1165"), ("label", "ICD10CM")), NOWHERE, "ICD-10-CM", "E11.65"),
    (page(("meta:codeValue", "99213"), ("meta:codingSystem", "CPT")), NOWHERE, "CPT", "99213"),
    (page(*[("breadcrumb", c) for c in ("Home", "ICD-10-CM", "E08-E13", "E11", "E11.65")]),
     NOWHERE, "ICD-10-CM", "E11.65"),
    (page(("breadcrumb", "Home › CPT › 64483")), NOWHERE, "CPT", "64483"),
    (page(("h1", "D1110: Prophylaxis - adult"), ("lead", "HCPCS Level II / CDT dental code")),
     NOWHERE, "HCPCS", "D1110"),
    (page(("h1", "CPT Category III 0275T | Percutaneous laminotomy")), NOWHERE, "CPT", "0275T"),
])
def test_detect_code_reads_what_the_page_says(parsed, url, system, code):
    match = detect_code(parsed, url)
    assert isinstance(match, CodeMatch), match
    assert (match.system, match.code) == (system, code)


def test_undotted_icd_code_is_not_taken_for_hcpcs_by_its_shape():
    assert detect_code(page(("h1", "E1165 Type 2 diabetes")), NOWHERE) is Reason.CODE_SYSTEM_NOT_FOUND
    match = detect_code(page(("h1", "E1165 Type 2 diabetes"), ("label", "ICD-10-CM")), NOWHERE)
    assert (match.system, match.code) == ("ICD-10-CM", "E11.65")


def test_no_code_anywhere_is_code_not_found():
    parsed = page(("label", "CPT4 code"), ("lead", "Search all medical codes"))
    assert detect_code(parsed, "file:///seeds/000_8059bbc75203bceb.txt") is Reason.CODE_NOT_FOUND
    assert detect_code(page(), NOWHERE) is Reason.CODE_NOT_FOUND


def test_code_shape_alone_is_code_system_not_found():
    assert detect_code(page(), "file:///x/62310.txt") is Reason.CODE_SYSTEM_NOT_FOUND


def test_prose_numbers_are_not_codes():
    parsed = page(("lead", "Updated for 2024. Over 10000 codes and 250 guides."), ("label", "CPT"))
    assert detect_code(parsed, NOWHERE) is Reason.CODE_NOT_FOUND


def test_structured_sources_beat_url_and_url_beats_filename():
    parsed = page(("jsonld", json.dumps({"codeValue": "99214", "codingSystem": "CPT"})))
    match = detect_code(parsed, "https://example.com/cpt/99213")
    assert (match.code, match.code_source) == ("99214", "jsonld")
    match = detect_code(page(("h1", "99215 - Office visit"), ("label", "CPT")), "https://example.com/cpt/99213")
    assert (match.code, match.code_source, match.system_source) == ("99215", "h1", "label")


def test_malformed_code_printed_in_the_heading_is_returned_for_validation():
    parsed = page(("h1", "ICD-10-CM R10.99999 - Unspecified abdominal pain"))
    match = detect_code(parsed, "file:///pages/r10-bad-format.html")
    assert (match.system, match.code) == ("ICD-10-CM", "R10.99999")
    assert not is_valid_code(match.system, match.code)


def test_malformed_code_after_a_url_system_token_is_returned():
    match = detect_code(page(), "https://example.com/cpt/6231x")
    assert (match.system, match.code) == ("CPT", "6231X")
    assert not is_valid_code(match.system, match.code)
