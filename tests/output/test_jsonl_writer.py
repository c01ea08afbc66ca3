"""codes.jsonl: one object per code, contract order, nested sections/related, stable bytes."""

from __future__ import annotations

import json

from snapshot_samples import codes_frame, related_frame, sample_tables, sections_frame

from output.jsonl import write_codes_jsonl
from schemas.tables import columns


def _write(tmp_path, name="codes.jsonl", **frames):
    tables = {"codes": codes_frame(), "sections": sections_frame(), "related": related_frame(), **frames}
    path = tmp_path / name
    count = write_codes_jsonl(tables["codes"], tables["sections"], tables["related"], path)
    return path, count


def test_one_line_per_code_in_codes_order(tmp_path):
    path, count = _write(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert count == len(lines) == 5
    objects = [json.loads(line) for line in lines]
    assert [(o["code_system"], o["code"]) for o in objects] == [
        ("CPT", "99213"), ("HCPCS", "D0120"), ("HCPCS", "J1100"),
        ("ICD-10-CM", "S72.001A"), ("ICD-10-PCS", "0DTJ4ZZ"),
    ]
    assert list(objects[0]) == columns("codes") + ["sections", "related"]


def test_values_are_plain_json(tmp_path):
    path, _ = _write(tmp_path)
    raw = path.read_bytes()
    by_code = {o["code"]: o for o in map(json.loads, raw.decode("utf-8").splitlines())}
    hip = by_code["S72.001A"]
    assert hip["fetched_at"] == "2024-05-01T12:30:15.123456Z"
    assert hip["name"] == "Hip fracture, right" and hip["summary"] is None
    assert hip["risks_rare"] == ["Blood clots", "Avascular necrosis of the femoral head"]
    assert hip["duration_min_minutes"] is None and by_code["D0120"]["duration_max_minutes"] == 60
    assert "Émilie".encode() in raw and b"\\u" not in raw  # UTF-8, not escaped


def test_sections_and_related_are_nested_in_page_order(tmp_path):
    path, _ = _write(tmp_path)
    by_code = {o["code"]: o for o in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    hip = by_code["S72.001A"]
    assert [s["ordinal"] for s in hip["sections"]] == [0, 1]
    assert hip["sections"][1] == {
        "ordinal": 1, "key": "risks", "heading": "Risks and Complications",
        "text": "Pain\nSwelling", "items": ["Pain", "Swelling"],
    }
    assert [r["related_code"] for r in by_code["99213"]["related"]] == ["99212", "99214"]
    assert by_code["99213"]["sections"][1]["key"] is None
    assert by_code["J1100"]["sections"] == [] and by_code["J1100"]["related"] == []


def test_same_input_same_bytes_whatever_the_row_order(tmp_path):
    first, _ = _write(tmp_path, "a.jsonl")
    shuffled = {name: frame.iloc[::-1] for name, frame in sample_tables().items()}
    second, _ = _write(tmp_path, "b.jsonl", codes=shuffled["codes"], sections=shuffled["sections"],
                       related=shuffled["related_codes"])
    assert first.read_bytes() == second.read_bytes()
