"""Round 2: risk series with a "rarely" turn, and stems/ranges that are not related codes."""

from __future__ import annotations

import pytest

from extract.document import Block, ParsedPage, Section
from transform.related import related_rows
from transform.risks import split_risks


def para(text: str) -> Block:
    return Block(text)


def item(text: str) -> Block:
    return Block(text, "item", 0)


@pytest.mark.parametrize("text, common, rare", [
    ("Risks include bleeding, infection and, rarely, nerve damage.",
     ["bleeding", "infection"], ["nerve damage"]),
    ("Risks include pain at the site, skin thinning and, rarely, joint infection.",
     ["pain at the site", "skin thinning"], ["joint infection"]),
    ("Possible risks are bleeding, infection, or, in rare cases, perforation of the bowel.",
     ["bleeding", "infection"], ["perforation of the bowel"]),
    ("Complications may include swelling, bruising and less commonly blood clots or stroke.",
     ["swelling", "bruising"], ["blood clots or stroke"]),
    ("These include soreness and redness, and uncommonly, fever.",
     ["soreness", "redness"], ["fever"]),
    ("Risks include bleeding, infection, and nerve damage.", ["bleeding", "infection", "nerve damage"], []),
])
def test_series_split_with_rare_turn(text, common, rare):
    assert split_risks(Section("Risks", [para(text)])) == (common, rare)


def test_labelled_line_with_rare_turn():
    section = Section("Risks", [item("Common: bleeding, infection and, rarely, nerve damage")])
    assert split_risks(section) == (["bleeding", "infection"], ["nerve damage"])


@pytest.mark.parametrize("text", [
    "There are no known risks from this test.",
    "These are usually mild and pass within a day.",
])
def test_single_sentence_without_series_stays_one_item(text):
    assert split_risks(Section("Risks", [para(text)])) == ([text], [])


def rows_of(parsed: ParsedPage, system: str, code: str) -> list[tuple]:
    return [(r["related_code_system"], r["related_code"], r["related_title"], r["relation"])
            for r in related_rows(parsed, system, code)]


def test_ranges_are_not_related_codes_and_stems_name_their_category():
    parsed = ParsedPage(sections=[
        Section("Excludes1", [item("traumatic amputation of lower leg (S88.-)"),
                              item("M00-M02 infectious arthropathies"),
                              item("neoplasms (C00-D49)")]),
    ])
    assert rows_of(parsed, "ICD-10-CM", "S82.101A") == [
        ("ICD-10-CM", "S88", "traumatic amputation of lower leg", "excludes1"),
    ]


def test_full_code_in_excludes_and_code_also_is_still_a_row():
    parsed = ParsedPage(sections=[
        Section("Code also", [para("outcome of delivery (Z37.0)")]),
        Section("Excludes2", [item("fracture of shaft of radius (S52.3-, S52.31)")]),
    ])
    assert rows_of(parsed, "ICD-10-CM", "O80") == [
        ("ICD-10-CM", "Z37.0", "outcome of delivery", "code_also"),
        ("ICD-10-CM", "S52.3", "fracture of shaft of radius", "excludes2"),
        ("ICD-10-CM", "S52.31", "fracture of shaft of radius", "excludes2"),
    ]
