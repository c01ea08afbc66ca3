"""Round-2 held-out shapes: "code (SYSTEM)" statements, file-name slugs, titles only in
`<title>`/og:title, heading pollution, soft-404s and headings naming two codes."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from extract.parse import parse_page
from extract.rawpage import RawPage
from schemas.reasons import QuarantineEntry
from transform.code_evidence import from_text, from_url
from transform.record import PageRecord, build_record

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def build(name: str, body: str) -> PageRecord | QuarantineEntry:
    raw = RawPage(source_url=f"file:///corpus/{name}", body=body.encode("utf-8"), fetched_at=WHEN)
    parsed = parse_page(raw)
    return parsed if isinstance(parsed, QuarantineEntry) else build_record(parsed, raw)


def html(head: str, body: str) -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def row(record) -> tuple[str, str, str]:
    assert isinstance(record, PageRecord), record
    return record.code_row["code_system"], record.code_row["code"], record.code_row["title"]


@pytest.mark.parametrize("text, system, code", [
    ("Code: Z96.652 (ICD-10-CM)", "ICD-10-CM", "Z96.652"),
    ("Code Z96.651 (ICD-10-CM)", "ICD-10-CM", "Z96.651"),
    ("Code: 99214 (CPT®)", "CPT", "99214"),
    ("Z96.651 (ICD-10-CM)", "ICD-10-CM", "Z96.651"),
])
def test_code_then_bracketed_system_is_a_paired_reading(text, system, code):
    paired = [(e.system, e.code) for e in from_text("label", text) if e.paired]
    assert paired == [(system, code)]


def test_a_bracketed_label_after_a_plain_number_is_no_code():
    assert not any(e.code for e in from_text("label", "Type 2 (ICD-10-CM)"))


@pytest.mark.parametrize("url, code", [
    ("file:///x/runin-z96-651.txt", "z96.651"),
    ("file:///x/icd10cm-z96-651.html", "z96.651"),
    ("https://example.org/icd-10-cm/e11-65", "e11.65"),
    ("https://example.org/cpt/99213-office", "99213"),
])
def test_slug_hyphen_stands_for_the_icd_dot(url, code):
    assert [e.code for e in from_url(url) if e.code] == [code]


@pytest.mark.parametrize("name, body, expected", [
    ("runin-z96-651.txt", "Presence of right artificial knee joint\nCode: Z96.651 (ICD-10-CM)\n\n"
     "Summary: A replaced knee.\n", ("ICD-10-CM", "Z96.651", "Presence of right artificial knee joint")),
    ("l99214a.txt", "Office or other outpatient visit\nCode: 99214 (CPT®)\n\nSummary: A visit.\n",
     ("CPT", "99214", "Office or other outpatient visit")),
    ("v24.txt", "Presence of right artificial knee joint\nCode Z96.651 (ICD-10-CM)\n\nSummary: A knee.\n",
     ("ICD-10-CM", "Z96.651", "Presence of right artificial knee joint")),
])
def test_printed_code_beats_the_file_name(name, body, expected):
    assert row(build(name, body)) == expected


def test_title_only_in_og_title_is_the_rest_after_the_code():
    page = html("<title>MedCodes</title><meta property='og:title' content='CPT 93306: Echocardiography, "
                "transthoracic, complete | MedCodes'>",
                "<h2>Summary</h2><p>An ultrasound of the heart.</p>")
    assert row(build("og-echo.html", page)) == ("CPT", "93306", "Echocardiography, transthoracic, complete")


def test_title_element_without_a_descriptor_after_the_code_gives_no_title():
    page = html("<title>Print - CPT 47562</title>", "<h2>Summary</h2><p>The gallbladder is removed.</p>")
    record = build("print-47562.html", page)
    assert isinstance(record, QuarantineEntry) and record.reason == "title_not_found"


@pytest.mark.parametrize("h1, title", [
    ("J3301 HCPCS Injection, triamcinolone acetonide, 10 mg", "Injection, triamcinolone acetonide, 10 mg"),
    ("HCPCS J3301 Injection, triamcinolone acetonide, 10 mg", "Injection, triamcinolone acetonide, 10 mg"),
    ("J3301 Injection, triamcinolone acetonide, 10 mg Billable", "Injection, triamcinolone acetonide, 10 mg"),
    ("J3301 Injection, triamcinolone acetonide, 10 mg Non-billable Revised",
     "Injection, triamcinolone acetonide, 10 mg"),
])
def test_heading_code_label_and_badges_are_not_title(h1, title):
    page = html("<title>J3301 | HCPCS</title>", f"<h1>{h1}</h1><h2>Summary</h2><p>A steroid shot.</p>")
    assert row(build("j3301.html", page)) == ("HCPCS", "J3301", title)


@pytest.mark.parametrize("h1", ["Code not found", "Page not found", "404", "404 - Page Not Found",
                                "No results", "No results found for 99499."])
def test_soft_404_heading_is_quarantined(h1):
    page = html("<title>MedCodes</title>", f"<h1>{h1}</h1><p>Sorry, we could not find CPT code 99499.</p>")
    record = build("cpt-99499.html", page)
    assert isinstance(record, QuarantineEntry)
    assert (record.reason, record.detail) == ("code_not_found", "the page says the code was not found")


def test_heading_naming_two_codes_of_two_systems_is_quarantined():
    page = html("<title>Knee pair</title>", "<h1>CPT 27447 / HCPCS C1776</h1><p>Knee arthroplasty and implant.</p>"
                "<h2>Summary</h2><p>Both are billed.</p>")
    record = build("knee-pair.html", page)
    assert isinstance(record, QuarantineEntry) and record.reason == "code_not_found"
    assert record.detail == "the page names two codes (CPT 27447, HCPCS C1776)"
