"""The code-evidence regex scans that start late give what a scan from the start gives."""

from __future__ import annotations

import pytest

from transform.code_evidence import _TRAILING, _trailing, from_text
from transform.codes import LABEL_RE, may_name_system


@pytest.mark.parametrize("text", [
    "Knee arthroplasty 27447",
    "Knee arthroplasty (27447)",
    "Knee arthroplasty - 27447  ",
    "Knee arthroplasty\u00a027447",  # a no-break space is whitespace to both
    "Knee arthroplasty\u300027447]\t",
    "27447",
    "  27447  ",
    "a1-E11.9",
    "see:E11.9",
    "Knee arthroplasty",
    "",
    "   ",
    "Code E11.9 (ICD-10-CM) follows",
])
def test_trailing_code_search_matches_a_full_scan(text):
    full, late = _TRAILING.search(text), _trailing(text)
    assert (full and (full.span(), full.group("code"))) == (late and (late.span(), late.group("code")))


@pytest.mark.parametrize("text, system, code", [
    # the label sits after other text: the labelled-code scan starts at the label
    ("Billing note: see CPT 99213 for office visits", "CPT", "99213"),
    ("Office visit, CPT® code 99214", "CPT", "99214"),
    ("Type 2 diabetes — ICD-10-CM: E11.9", "ICD-10-CM", "E11.9"),
])
def test_labelled_code_after_leading_text_is_read(text, system, code):
    [reading] = [e for e in from_text("lead", text) if e.code]
    assert (reading.system, reading.code, reading.explicit) == (system, code, True)


def test_trailing_code_without_label_is_read_from_the_last_word():
    [reading] = from_text("lead", "Total knee arthroplasty 27447")
    assert (reading.system, reading.code, reading.explicit) == (None, "27447", False)


@pytest.mark.parametrize("text, names", [
    ("CPT® code 99213: Office visit", True),
    ("see hcpcs level ii J3301", True),
    ("Billable Icd-10-Cm diagnosis", True),
    ("SNOMED CT concept 22298006", True),
    ("Office visit for an established patient", False),
    ("Knee arthroplasty 27447", False),
    ("", False),
    ("ſnomed CT 22298006", True),  # non-ASCII text takes the `re.I` path, where "ſ" reads as "s"
    ("Ödem des Knies", False),
])
def test_may_name_system_prefilter(text, names):
    assert may_name_system(text) is names
    if LABEL_RE.search(text):  # the prefilter never hides a label
        assert may_name_system(text)
