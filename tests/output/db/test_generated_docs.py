"""The generated documents are current, and every `codes.jsonl` line fits the shipped JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from schemas.docs import data_dictionary_markdown, generated_files, write_generated
from schemas.tables import SPECS

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("relative", list(generated_files()), ids=str)
def test_committed_generated_file_is_current(relative):
    committed = (REPO / relative).read_text(encoding="utf-8")
    assert committed == generated_files()[relative], f"{relative} is stale: run `python -m schemas.docs`"


def test_write_generated_writes_what_the_check_expects(tmp_path):
    written = write_generated(tmp_path)
    assert {p.relative_to(tmp_path) for p in written} == set(generated_files())
    for relative, text in generated_files().items():
        assert (tmp_path / relative).read_text(encoding="utf-8") == text


def test_dictionary_documents_every_column_of_every_table():
    markdown = data_dictionary_markdown()
    sections = markdown.split("\n## ")
    for table, spec in SPECS.items():
        section = next(s for s in sections if s.startswith(f"`{table}`"))
        for column in spec.columns:
            row = next(line for line in section.splitlines() if line.startswith(f"| `{column.name}` |"))
            assert column.description.split("`")[0].strip() in row.replace("\\|", "|")


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / "docs" / "codes.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_every_codes_jsonl_line_fits_the_shipped_schema(snapshots):
    validator = _validator()
    lines = [line for path in snapshots.paths
             for line in (path / "codes.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 5 + 6 + 6
    for line in lines:
        validator.validate(json.loads(line))


def test_schema_rejects_a_line_missing_its_sections(snapshots):
    line = json.loads((snapshots.paths[0] / "codes.jsonl").read_text(encoding="utf-8").splitlines()[0])
    del line["sections"]
    line["duration_min_minutes"] = "thirty"
    messages = sorted(e.message for e in _validator().iter_errors(line))
    assert messages == ["'sections' is a required property", "'thirty' is not of type 'integer', 'null'"]
