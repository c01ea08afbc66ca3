"""Heading → key matching: aliases, normalization and the keyword rules for unseen wordings."""

from __future__ import annotations

import pytest

from transform.headings import ALIASES, SECTION_KEYS, heading_key, normalize_heading


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Name of the Procedure:", "name"),
        ("Summary", "summary"),
        ("Why it’s done", "purpose"),
        ("Reasons for the procedure", "purpose"),
        ("INDICATIONS", "indications"),
        ("Getting ready", "preparation"),
        ("Before your procedure", "preparation"),
        ("Procedure Description", "procedure_steps"),
        ("What happens during the procedure?", "procedure_steps"),
        ("How it's performed", "procedure_steps"),
        ("Steps", "procedure_steps"),
        ("How long it takes", "duration"),
        ("Expected duration", "duration"),
        ("Time required", "duration"),
        ("Where it's done", "setting"),
        ("Care setting", "setting"),
        ("Who performs the procedure", "personnel"),
        ("Healthcare team", "personnel"),
        ("Risks and Complications", "risks"),
        ("Risks & Complications", "risks"),
        ("Possible complications", "risks"),
        ("Risks", "risks"),
        ("Benefits", "benefits"),
        ("After the procedure", "recovery"),
        ("Recovery and aftercare", "recovery"),
        ("Other options", "alternatives"),
        ("Treatment alternatives", "alternatives"),
        ("What you'll feel", "patient_experience"),
        ("Patient perspective", "patient_experience"),
        ("Similar Codes", "similar_codes"),
        ("Related codes", "similar_codes"),
        ("See also", "similar_codes"),
        ("Similar procedures", "similar_codes"),
        ("3. Purpose", "purpose"),
        ("IV) Benefits:", "benefits"),
        ("The Patient Experience", "patient_experience"),
    ],
)
def test_known_wordings(heading: str, key: str) -> None:
    assert heading_key(heading) == key


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Common risks of epidural injection", "risks"),
        ("Serious complications to watch for", "risks"),
        ("How long does recovery take?", "duration"),
        ("Where will my procedure happen", "setting"),
        ("Who does the injection", "personnel"),
        ("Preparing for an MRI", "preparation"),
    ],
)
def test_keyword_rules_catch_unlisted_wordings(heading: str, key: str) -> None:
    assert heading_key(heading) == key
    assert heading_key(heading, fuzzy=False) is None


@pytest.mark.parametrize(
    "heading",
    ["Clinical Information", "Approximate Synonyms", "Code History", "Applicable To", "Excludes1", "", "  "],
)
def test_unknown_headings_have_no_key(heading: str) -> None:
    assert heading_key(heading) is None


def test_sentences_are_not_headings_even_with_keywords() -> None:
    assert heading_key("Rest for a day after the procedure and call us if you notice any complications.") is None
    assert heading_key("There are few risks.") is None


def test_normalize_heading() -> None:
    assert normalize_heading("  3. Risks & Complications: ") == "risks and complications"
    assert normalize_heading("Why it’s done") == "why its done"


def test_alias_table_is_consistent() -> None:
    assert set(ALIASES) == set(SECTION_KEYS)
    for key, aliases in ALIASES.items():
        for alias in aliases:
            assert normalize_heading(alias) == alias, alias  # stored normalized, or lookup misses
            assert heading_key(alias) == key


@pytest.mark.parametrize("heading, key", [
    ("How to get ready", "preparation"), ("Also called", "name"), ("Who is it for?", "indications"),
    ("Who qualifies", "indications"), ("Who provides it", "personnel"), ("Infusion time", "duration"),
    ("Visit length", "duration"), ("Drawbacks", "risks"), ("Possible reactions", "risks"),
    ("What it means", "summary"), ("How it's done", "procedure_steps"), ("About this diagnosis", "summary"),
    ("Typical reasons for the visit", "indications"), ("Used for", "indications"),
    ("How it is given", "procedure_steps"), ("Fitting procedure", "procedure_steps"),
    ("Risk factors", None), ("Symptoms", None), ("Name of the procedure", "name"),
    ("How to use", "procedure_steps"), ("What happens", "procedure_steps"), ("Supplier", "setting"),
    ("Setup", "preparation"), ("Warning signs", None), ("Treatment options", None),
    ("Other treatment options", "alternatives"),
])
def test_reader_wordings_held_out_review(heading, key):
    assert heading_key(heading) == key


@pytest.mark.parametrize("heading, key", [
    ("Fitting time", "duration"), ("Time per test", "duration"), ("Setup time", "duration"),
    ("Recovery time", "recovery"), ("Healing time", "recovery"), ("Wait time", None),
    ("Who fits it", "personnel"), ("Who fits the device", "personnel"), ("Fitting", "procedure_steps"),
    ("Supplier notes", None), ("Coding notes", None), ("Clinical Notes", None),
    ("Supplier", "setting"), ("Suppliers", "setting"), ("Where to get it", "setting"),
])
def test_reader_wordings_round3(heading, key):
    assert heading_key(heading) == key
