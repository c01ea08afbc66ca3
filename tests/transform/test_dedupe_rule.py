"""The duplicate rule over light candidates, and the vectorized fill count it ranks by."""

from __future__ import annotations

from datetime import datetime, timezone

import pyarrow as pa

from schemas.tables import arrow_schema
from transform.dedupe import Candidate, choose_kept, filled_counts

WHEN = datetime(2024, 5, 1, tzinfo=timezone.utc)


def _candidate(url: str, filled: int | None, code: str = "99213") -> Candidate:
    return Candidate("CPT", code, url, "a" * 64, WHEN, filled)


def test_richest_page_wins_then_smallest_url_whatever_the_order():
    pages = [_candidate("https://x/b", 5), _candidate("https://x/a", 5), _candidate("https://x/c", 9),
             _candidate("https://x/solo", 1, code="99214")]
    for order in (pages, pages[::-1]):
        losers = choose_kept(order)
        assert sorted(d.source_url for d in losers) == ["https://x/a", "https://x/b"]
        assert all(d.reason == "duplicate_code" and "https://x/c, which was kept" in d.detail for d in losers)
        assert {d.seen_at for d in losers} == {WHEN}


def test_unknown_counts_are_asked_for_only_when_a_code_is_contested():
    asked: list[list[str]] = []

    def fill_in(candidates):
        asked.append(sorted(c.source_url for c in candidates))
        return {"https://x/old": 12}

    losers = choose_kept([_candidate("https://x/old", None), _candidate("https://x/new", 7),
                          _candidate("https://x/alone", None, code="99215")], fill_in)
    assert asked == [["https://x/old"]]
    assert [d.source_url for d in losers] == ["https://x/new"]


def test_filled_counts_count_non_empty_content_fields_only():
    rows = [
        {"code_system": "CPT", "code": "99213", "title": "Visit", "name": "", "summary": None,
         "indications": ["a"], "preparation": [], "duration_min_minutes": 0, "license": "ama_cpt",
         "source_url": "https://x/1", "content_sha256": "a" * 64, "fetched_at": WHEN},
        {"code_system": "CPT", "code": "99214", "title": "Visit", "license": "ama_cpt",
         "source_url": "https://x/2", "content_sha256": "b" * 64, "fetched_at": WHEN},
    ]
    table = pa.Table.from_pylist(rows, schema=arrow_schema("codes"))
    # title, indications, duration_min_minutes (0 is a value); empty lists elsewhere count for nothing
    assert filled_counts(table).tolist() == [3, 1]
