"""Risks sections → common and rare risks."""

from __future__ import annotations

import pytest

from extract.document import Block, Section
from transform.risks import split_risks


def item(text: str, depth: int = 0) -> Block:
    return Block(text, "item", depth)


def para(text: str) -> Block:
    return Block(text)


def test_seed_labelled_items_with_a_glued_sentence():
    section = Section("Risks and Complications", [
        item("Common: localized pain or discomfort, bleeding, infection at the injection site"),
        item("Rare: allergic reactions, nerve damage, systemic infection Immediate medical attention "
             "is necessary for severe complications."),
    ])
    assert split_risks(section) == (
        ["localized pain or discomfort", "bleeding", "infection at the injection site"],
        ["allergic reactions", "nerve damage", "systemic infection"],
    )


@pytest.mark.parametrize("blocks, common, rare", [
    ([para("Common risks:"), item("Pain"), item("Bruising"), para("Rare but serious:"), item("Nerve damage")],
     ["Pain", "Bruising"], ["Nerve damage"]),
    ([item("Less common:"), item("Headache", 1), item("Fever", 1), item("Frequent: soreness")],
     ["soreness"], ["Headache", "Fever"]),
    ([item("Uncommon: spinal headache; nerve injury.")], [], ["spinal headache", "nerve injury"]),
    ([item("Serious: stroke, heart attack")], [], ["stroke", "heart attack"]),
    ([item("Most common side effects - nausea, vomiting, and dizziness")], ["nausea", "vomiting", "dizziness"], []),
    ([item("Bleeding (common)"), item("Paralysis (rare)"), item("Serious infection")],
     ["Bleeding", "Serious infection"], ["Paralysis"]),
    ([para("Common risks include pain, swelling, and bruising. Rare risks include infection and nerve damage.")],
     ["pain", "swelling", "bruising"], ["infection", "nerve damage"]),
    ([para("As with any procedure, there are risks."), para("Complications may include bleeding and infection.")],
     ["bleeding", "infection"], []),
    ([item("Common: a, b"), para("Immediate medical attention is necessary for severe complications.")], ["a", "b"], []),
])
def test_labelled_forms(blocks, common, rare):
    assert split_risks(Section("Risks", blocks)) == (common, rare)


def test_unlabelled_items_are_common_and_none_is_dropped():
    section = Section("Possible complications", [item("Soreness at the needle site"), item("Dural tear"),
                                                 item("Bleeding")])
    assert split_risks(section) == (["Soreness at the needle site", "Dural tear", "Bleeding"], [])


def test_a_section_of_prose_only_keeps_its_text_as_a_risk():
    section = Section("Risks", [para("There are no known risks; ultrasound does not use radiation.")])
    assert split_risks(section) == (["There are no known risks; ultrasound does not use radiation."], [])


def test_heading_sets_the_starting_bucket():
    assert split_risks(Section("Rare complications", [item("Stroke"), item("Death")])) == ([], ["Stroke", "Death"])
    assert split_risks(Section("Common side effects", [item("Nausea")])) == (["Nausea"], [])


def test_empty_section():
    assert split_risks(Section("Risks", [])) == ([], [])
