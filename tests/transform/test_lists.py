"""List markers and inline lists."""

from __future__ import annotations

import pytest

from transform.lists import split_conjunctions, split_list, split_top_level, strip_marker


@pytest.mark.parametrize("raw, text", [
    ("• Nurse", "Nurse"), ("- Nurse", "Nurse"), ("* Nurse", "Nurse"), ("– Nurse", "Nurse"),
    ("1. Clean the site.", "Clean the site."), ("2) Clean the site.", "Clean the site."),
    ("(a) Clean the site.", "Clean the site."), ("Step 1: Clean the site.", "Clean the site."),
    ("  ●  Nurse  ", "Nurse"), ("Nurse", "Nurse"), ("3.5 mg dose", "3.5 mg dose"),
    ("24-48 hours of rest", "24-48 hours of rest"), ("A. Smith technique", "A. Smith technique"),
])
def test_strip_marker(raw, text):
    assert strip_marker(raw) == text


@pytest.mark.parametrize("text, items", [
    ("a, b, and c", ["a", "b", "c"]), ("a, b and c", ["a", "b", "c"]), ("a; b; c.", ["a", "b", "c"]),
    ("localized pain or discomfort, bleeding, infection at the injection site",
     ["localized pain or discomfort", "bleeding", "infection at the injection site"]),
    ("Physician (often a pain specialist or anesthesiologist)",
     ["Physician (often a pain specialist or anesthesiologist)"]),
    ("Oral medications (pain relievers, anti-inflammatory drugs), physical therapy",
     ["Oral medications (pain relievers, anti-inflammatory drugs)", "physical therapy"]),
    ("pain or discomfort", ["pain or discomfort"]), ("pain and swelling", ["pain and swelling"]),
    ("bleeding, infection or nerve damage", ["bleeding", "infection", "nerve damage"]),
    ("", []),
])
def test_split_list(text, items):
    assert split_list(text) == items


def test_split_list_cuts_a_lone_and_only_when_asked():
    assert split_list("infection and nerve damage", split_lone_and=True) == ["infection", "nerve damage"]
    assert split_list("localized pain or discomfort", split_lone_and=True) == ["localized pain or discomfort"]


def test_split_helpers_respect_brackets():
    assert split_top_level("a (b, c); d [e; f]") == ["a (b, c)", "d [e; f]"]
    assert split_conjunctions("hospital or clinic (day or night) and home") == [
        "hospital", "clinic (day or night)", "home"]
