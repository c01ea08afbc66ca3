"""Setting text → the places named."""

from __future__ import annotations

import pytest

from transform.places import split_settings


@pytest.mark.parametrize("text, places", [
    ("The procedure is usually performed in an outpatient clinic, hospital, or surgical center.",
     ["outpatient clinic", "hospital", "surgical center"]),
    ("It is performed in a hospital endoscopy suite or an ambulatory surgery center.",
     ["hospital endoscopy suite", "ambulatory surgery center"]),
    ("This procedure is typically performed in a hospital setting under general anesthesia.", ["hospital setting"]),
    ("It is performed on an outpatient basis.", ["outpatient"]),
    ("It is usually performed in an outpatient clinic. In some cases, it may be done in a hospital.",
     ["outpatient clinic", "hospital"]),
    ("Performed in the Intensive Care Unit (ICU) or an emergency department.",
     ["Intensive Care Unit (ICU)", "emergency department"]),
    ("The test can be done at a doctor's office, a laboratory, or at home.", ["doctor's office", "laboratory", "home"]),
    ("Settings include hospitals, outpatient surgical centers and specialized clinics.",
     ["hospitals", "outpatient surgical centers", "specialized clinics"]),
    ("Usually performed in a hospital operating room or an ambulatory surgical center, depending on health.",
     ["hospital operating room", "ambulatory surgical center"]),
    ("The procedure takes place in a radiology suite with fluoroscopy equipment.", ["radiology suite"]),
    ("It can be carried out at the Mayo Clinic.", ["Mayo Clinic"]),
    ("Crutches are fitted in a physician office, hospital, or physical therapy clinic.",
     ["physician office", "hospital", "physical therapy clinic"]),
    ("Hospital or ambulatory surgery center", ["hospital", "ambulatory surgery center"]),
    ("Outpatient", ["outpatient"]),
    ("", []),
    ("This is a sentence that names no place of any kind for the reader.", []),
])
def test_split_settings_from_text(text, places):
    assert split_settings(text) == places


def test_split_settings_from_items_keeps_each_item_whole():
    items = ["Outpatient clinic", "• Hospital.", "ICU", "Ambulatory surgery center", "Hospital"]
    assert split_settings(items) == ["outpatient clinic", "hospital", "ICU", "ambulatory surgery center"]


@pytest.mark.parametrize("text, places", [
    ("Usually in an ambulatory surgery center, sometimes in a physician office.",
     ["ambulatory surgery center", "physician office"]),
    ("Supplied for use at home.", ["home"]),
    ("Dispensed by a pharmacy or mail-order supplier.", ["pharmacy", "mail-order supplier"]),
])
def test_frequency_words_and_use_at(text, places):
    assert split_settings(text) == places


@pytest.mark.parametrize("text, places", [
    ("Labor and delivery unit, birthing center, or home birth.",
     ["labor and delivery unit", "birthing center", "home birth"]),
    ("Physician office, urgent care and walk-in clinic, or hospital outpatient department.",
     ["physician office", "urgent care and walk-in clinic", "hospital outpatient department"]),
    ("Performed in a hospital and clinic.", ["hospital", "clinic"]),
    ("Done in the office and at home.", ["office", "home"]),
    ("Emergency department (ED) and urgent care", ["emergency department (ED)", "urgent care"]),
    ("Performed in inpatient and outpatient settings.", ["inpatient and outpatient settings"]),
])
def test_and_splits_only_after_a_complete_place(text, places):
    assert split_settings(text) == places


@pytest.mark.parametrize("text, places", [
    ("SCHEDULED IN the ambulatory surgery center.", ["ambulatory surgery center"]),  # any case
    ("Patients are bed in the ward.", ["ward"]),  # three letters are enough for an "-ed" verb
    ("It is ed in the office.", ["it is ed in the office"]),  # "ed" alone is no verb: no intro
    ("Performed2 in a clinic.", ["performed2 in a clinic"]),  # the verb ends its word
])
def test_ed_verb_intro_is_a_whole_word_of_three_or_more_letters(text, places):
    assert split_settings(text) == places


def test_split_settings_hands_each_caller_its_own_list():
    """Answers for a setting text are kept (sites repeat it page after page); a caller that
    edits its list must not change what the next page gets."""
    text = "Performed in a hospital or outpatient clinic."
    first = split_settings(text)
    first.append("garage")
    assert split_settings(text) == ["hospital", "outpatient clinic"]
