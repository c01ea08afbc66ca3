"""Double-escaped entities left in text after HTML parsing are decoded once more."""

import pytest

from transform.text import normalize_inline, normalize_lines


@pytest.mark.parametrize("raw, clean", [
    ("ease inflammation.&nbsp;", "ease inflammation."),
    ("a&nbsp;&nbsp; b", "a b"),
    ("Risks &amp; benefits", "Risks & benefits"),
    ("don&#8217;t", "don\u2019t"),
    ("it&#x2019;s", "it\u2019s"),
    ("&lt;5 mg", "<5 mg"),
])
def test_leftover_entities_are_decoded(raw, clean):
    assert normalize_inline(raw) == clean


@pytest.mark.parametrize("text", ["AT&T; Verizon", "R&D", "Q&A session", "a & b"])
def test_ampersands_that_are_not_entities_stay(text):
    assert normalize_inline(text) == text


def test_line_of_only_nbsp_entities_is_dropped():
    assert normalize_lines(["&nbsp;&nbsp;", "kept"]) == ["kept"]
