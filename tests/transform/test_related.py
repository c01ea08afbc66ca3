"""Similar Codes and like sections → related_codes rows."""

from __future__ import annotations

import pytest

from extract.document import Block, ParsedPage, Section
from transform.related import related_rows, relation_for


def items(*texts: str) -> list[Block]:
    return [Block(t, "item") for t in texts]


def rows_of(parsed: ParsedPage, system: str = "CPT", code: str = "62310") -> list[tuple]:
    return [(r["related_code_system"], r["related_code"], r["related_title"], r["relation"])
            for r in related_rows(parsed, system, code)]


@pytest.mark.parametrize("heading, relation", [
    ("Similar Codes", "similar"), ("Related Codes", "similar"), ("Similar CPT Codes", "similar"),
    ("Related ICD-10 codes", "similar"), ("See Also", "see_also"), ("Parent Code", "parent"),
    ("Excludes1", "excludes1"), ("Excludes 2", "excludes2"), ("Code First", "code_first"),
    ("Summary", None), ("Excludes", None),
])
def test_relation_for(heading, relation):
    assert relation_for(heading) == relation


def test_items_in_the_usual_shapes():
    parsed = ParsedPage(sections=[Section("Similar Codes", items(
        "62311 - Injection(s), lumbar or sacral",
        "64483: Injection, transforaminal; lumbar",
        "CPT® 64490 Injection, facet joint",
        "HCPCS J1100 – Dexamethasone sodium phosphate",
        "• 62321 — Injection, epidural, with imaging",
    ))])
    assert rows_of(parsed) == [
        ("CPT", "62311", "Injection(s), lumbar or sacral", "similar"),
        ("CPT", "64483", "Injection, transforaminal; lumbar", "similar"),
        ("CPT", "64490", "Injection, facet joint", "similar"),
        ("HCPCS", "J1100", "Dexamethasone sodium phosphate", "similar"),
        ("CPT", "62321", "Injection, epidural, with imaging", "similar"),
    ]


def test_self_references_and_duplicates_are_dropped_in_page_order():
    parsed = ParsedPage(sections=[Section("Similar Codes", items("62310 - this page", "62311 - a", "62311: again"))])
    assert rows_of(parsed) == [("CPT", "62311", "a", "similar")]


def test_links_use_their_href_and_title():
    parsed = ParsedPage(
        sections=[Section("Similar Codes", items("F41.0 - Panic disorder"))],
        related_links=[("F41.0 - Panic disorder", "/codes/f41.0", "Panic disorder [episodic]"),
                       ("Anxiety disorder, unspecified", "https://example.org/icd10cm/F419", None),
                       ("E1165", "https://example.org/icd-10-cm/E1165", "Type 2 diabetes")],
    )
    assert rows_of(parsed, "ICD-10-CM", "F41.1") == [
        ("ICD-10-CM", "F41.0", "Panic disorder", "similar"),
        ("ICD-10-CM", "F41.9", "Anxiety disorder, unspecified", "similar"),
        ("ICD-10-CM", "E11.65", "Type 2 diabetes", "similar"),
    ]


def test_codes_in_trailing_parentheses_and_relation_from_heading():
    parsed = ParsedPage(sections=[Section("Excludes1", items("type 1 diabetes mellitus (E10.-)",
                                                            "gestational diabetes (O24.4-, O24.41)"))])
    assert rows_of(parsed, "ICD-10-CM", "E11.65") == [
        ("ICD-10-CM", "E10", "type 1 diabetes mellitus", "excludes1"),
        ("ICD-10-CM", "O24.4", "gestational diabetes", "excludes1"),
        ("ICD-10-CM", "O24.41", "gestational diabetes", "excludes1"),
    ]


def test_text_without_codes_and_unrelated_sections_give_nothing():
    parsed = ParsedPage(sections=[
        Section("Similar Codes", items("Injection, lumbar", "See the full list")),
        Section("Summary", [Block("62311 is a similar code.")]),
    ])
    assert rows_of(parsed) == []


def test_row_shape():
    parsed = ParsedPage(sections=[Section("Similar Codes", items("62311"))])
    assert related_rows(parsed, "CPT", "62310") == [{
        "code_system": "CPT", "code": "62310", "related_code_system": "CPT", "related_code": "62311",
        "related_title": None, "relation": "similar",
    }]
