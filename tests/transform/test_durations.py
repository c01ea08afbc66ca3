"""Duration text → (min, max) minutes."""

from __future__ import annotations

import pytest

from transform.durations import parse_duration


@pytest.mark.parametrize("text, bounds", [
    ("The procedure typically takes about 30 minutes to 1 hour.", (30, 60)),
    ("15-20 minutes", (15, 20)), ("15–20 minutes", (15, 20)), ("15 — 20 minutes", (15, 20)),
    ("1 to 2 hours", (60, 120)), ("1–2 hrs", (60, 120)), ("2-3 hrs.", (120, 180)),
    ("approximately 45 minutes", (45, 45)), ("an hour", (60, 60)), ("It takes about an hour.", (60, 60)),
    ("half an hour", (30, 30)), ("90 minutes", (90, 90)), ("1.5 hours", (90, 90)),
    ("between 30 and 45 minutes", (30, 45)), ("1 hour 30 minutes", (90, 90)),
    ("1 hour and 15 minutes", (75, 75)), ("an hour and a half", (90, 90)),
    ("one and a half hours", (90, 90)), ("1½ hours", (90, 90)), ("1 1/2 hours", (90, 90)),
    ("1-1.5 hours", (60, 90)), ("45 to 90 minutes", (45, 90)), ("It usually lasts 20 to 30 mins.", (20, 30)),
    ("Typically 30-60 min", (30, 60)), ("one to two hours", (60, 120)), ("Roughly two hours.", (120, 120)),
    ("a 30-minute procedure", (30, 30)), ("Approx. 30 min", (30, 30)),
    ("less than 30 minutes", (None, 30)), ("under 15 minutes", (None, 15)), ("up to an hour", (None, 60)),
    ("Usually done within 15 minutes", (None, 15)), ("10 minutes or less", (None, 10)),
    ("at least 2 hours", (120, None)), ("more than an hour", (60, None)), ("an hour or more", (60, None)),
    ("30+ minutes", (30, None)),
    ("a few minutes", (None, None)), ("several hours", (None, None)), ("Varies with the patient's needs.", (None, None)),
    ("a few minutes to an hour", (None, 60)), ("", (None, None)), (None, (None, None)),
    ("The hospital stay is 2-3 days.", (None, None)),
])
def test_parse_duration(text, bounds):
    assert parse_duration(text) == bounds


@pytest.mark.parametrize("text, bounds", [
    ("The procedure takes 30 minutes; recovery takes 2 weeks.", (30, 30)),
    ("You will be monitored for 2 hours after the procedure. The injection itself takes 20 minutes.", (20, 20)),
    ("The surgery takes 2 to 4 hours, and the hospital stay is 1-2 days.", (120, 240)),
    ("Around 20 minutes, although preparation may add another 30 minutes.", (20, 20)),
])
def test_only_the_procedure_duration_counts(text, bounds):
    assert parse_duration(text) == bounds


def test_minutes_are_ints():
    low, high = parse_duration("1.25 hours")
    assert (low, high) == (75, 75) and isinstance(low, int)
